#!/usr/bin/env node
/**
 * midge_ctrl: mosquitto_ctrl for midge (and Mosquitto). Its one module,
 * dynsec, sends dynamic-security commands to `$CONTROL/dynamic-security/v1`
 * and prints the answer; `dynsec init` writes a new config file. Options,
 * arguments, output and exit statuses are mosquitto_ctrl's, so scripts
 * written for it keep working.
 *
 *   midge_ctrl -h broker -u admin dynsec createClient alice -p secret
 *   midge_ctrl dynsec init /etc/midge/dynsec.json admin
 */
import { CONTROL_TOPIC, RESPONSE_TOPIC } from '../dynsec/index.js';
import type { ClientConfig } from './client-options/index.js';
import { MosqErr } from './client-options/mosquitto-strings.js';
import { dynsecRequest, type PasswordAsker } from './ctrl/dynsec-args.js';
import { initDoneText, writeInitFile } from './ctrl/dynsec-init.js';
import { printResponse } from './ctrl/dynsec-print.js';
import { dynsecHelpText, usageText } from './ctrl/help.js';
import { ctrlConfig, parseCtrlOptions } from './ctrl/options.js';
import { getPassword, type PromptIo, processPromptIo } from './ctrl/password-prompt.js';
import { runExchange } from './ctrl/request.js';
import { version } from './version.js';

const io: PromptIo = processPromptIo();
const invalidText = 'Error: Invalid function arguments provided.\n';
const removeIt = 'Remove the file or use a different location..\n';

const askNewPassword: PasswordAsker = async (username, mode) => {
  const prompts = [
    `New password for ${username}: `,
    `Reenter password for ${username}: `,
  ];
  if (mode === 'required') {
    const result = await getPassword(io, prompts[0]!, prompts[1], false);
    return result.ok ? result.password : undefined;
  }
  io.out(`Enter a password for ${username}, or just press return for none`);
  io.out(' (a client without a password cannot log in).\n');
  const result = await getPassword(io, prompts[0]!, prompts[1], true);
  if (result.ok) return result.password;
  if (result.code === 2) {
    io.err('Error: Passwords do not match.\n');
    return 'mismatch';
  }
  io.out('\n');
  return undefined;
};

async function init(args: string[]): Promise<number> {
  if (args.length < 2) {
    io.err('dynsec init: Not enough arguments - filename, or admin-user missing.\n');
    io.err(invalidText);
    return MosqErr.Inval;
  }
  if (args.length > 3) {
    io.err(`dynsec init: Too many arguments.\n${invalidText}`);
    return MosqErr.Inval;
  }
  const [file, username] = args as [string, string];
  const password = args[2] ?? (await askNewPassword(username, 'required'));
  if (password === undefined || password === 'mismatch') return 0;
  switch (writeInitFile(file, username, password)) {
    case 'exists':
      io.err(`dynsec init: '${file}' already exists. ${removeIt}`);
      return 0;
    case 'unwritable':
      io.err(`dynsec init: Unable to open '${file}' for writing.\n`);
      return 0;
    case 'written':
      io.out(initDoneText(username, file));
      return 0;
  }
}

/** Asks for the -u user's password when -P was not given. */
async function loginPassword(cfg: ClientConfig): Promise<boolean> {
  if (cfg.username === undefined || cfg.password !== undefined) return true;
  const result = await getPassword(
    io,
    `Password for ${cfg.username}: `,
    undefined,
    false,
  );
  if (!result.ok) {
    io.err('Error getting password.\n');
    return false;
  }
  cfg.password = result.password;
  return true;
}

async function request(cfg: ClientConfig, command: Record<string, unknown>) {
  if (cfg.tls.cafile === undefined && cfg.tls.capath === undefined) {
    io.err(
      'Warning: midge_ctrl is not using TLS (no --cafile or --capath): the commands,\n',
    );
    io.err('passwords included, cross the network unencrypted.\n\n');
  }
  if (!(await loginPassword(cfg))) return 1;
  return runExchange(
    cfg,
    {
      requestTopic: CONTROL_TOPIC,
      responseTopic: RESPONSE_TOPIC,
      command,
      print: (payload) => {
        const printed = printResponse(payload);
        io.out(printed.out);
        io.err(printed.err);
      },
    },
    io,
  );
}

/** The exit status for `argv` (the arguments after the program name). */
async function main(argv: string[]): Promise<number> {
  const parsed = parseCtrlOptions(argv);
  if (argv.length === 0 || parsed.kind === 'help') {
    io.out(usageText(version));
    return 1;
  }
  let cfg = ctrlConfig();
  // After a bad option mosquitto_ctrl reads every argument as unparsed,
  // so the option itself is taken for the module name.
  let rest = argv;
  if (parsed.kind === 'error') io.err(parsed.text);
  else if (parsed.kind === 'fatal') {
    io.err(parsed.text);
    return 1;
  } else ({ cfg, rest } = parsed);
  if (rest.length < 2) {
    io.out(usageText(version));
    return 1;
  }
  if (rest[0]!.toLowerCase() !== 'dynsec') {
    io.err(`Error: Module '${rest[0]}' not supported.\n`);
    return MosqErr.NotSupported;
  }
  const req = await dynsecRequest(rest.slice(1), askNewPassword);
  switch (req.kind) {
    case 'help':
      io.out(dynsecHelpText());
      return 0;
    case 'init':
      return init(req.args);
    case 'error':
      if (req.text !== '') io.err(req.text);
      return req.code;
    case 'command':
      return request(cfg, req.command);
  }
}

main(process.argv.slice(2)).then(
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
