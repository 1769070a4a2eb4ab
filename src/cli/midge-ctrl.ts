#!/usr/bin/env node
/**
 * midge_ctrl: mosquitto_ctrl for midge (and Mosquitto). Its one module,
 * dynsec, sends dynamic-security commands to `$CONTROL/dynamic-security/v1`
 * and prints the answer; `dynsec init` writes a new config file. Options,
 * arguments, output and exit statuses are mosquitto_ctrl's, so scripts
 * written for it keep working. The steps are in ./ctrl/main.ts.
 *
 *   midge_ctrl -h broker -u admin dynsec createClient alice -p secret
 *   midge_ctrl dynsec init /etc/midge/dynsec.json admin
 */
import { runCtrl } from './ctrl/main.js';
import { processPromptIo } from './password-prompt.js';

runCtrl(process.argv.slice(2), processPromptIo()).then(
  (code) => {
    // Exit once stdout and stderr have taken everything written.
    let pending = 2;
    const done = () => --pending === 0 && process.exit(code);
    process.stdout.write('', done);
    process.stderr.write('', done);
  },
  (error: unknown) => {
    process.stderr.write(`Error: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
