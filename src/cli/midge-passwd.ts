#!/usr/bin/env node
/**
 * midge_passwd: the process side of src/security/passwd-tool.ts. Passwords
 * are read from the terminal without echo, or line by line from a pipe,
 * where the prompts are still printed as mosquitto_passwd prints them.
 * Ctrl-C while typing leaves with status 0 and writes nothing, as
 * mosquitto_passwd does.
 */
import { runPasswd } from '../security/passwd-tool.js';
import { processPromptIo } from './password-prompt.js';

async function main(): Promise<void> {
  // mosquitto_passwd catches SIGINT and exits with 0.
  const code = await runPasswd(process.argv.slice(2), processPromptIo(0));
  process.exitCode = code;
  process.stdin.pause();
}

await main();
