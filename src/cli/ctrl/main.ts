/**
 * midge_ctrl's steps: read the options, pick the module and command, then
 * either answer locally (help, `dynsec init`) or send the request to the
 * broker and print its answer. The process glue is src/cli/midge-ctrl.ts;
 * tests call {@link runCtrl} directly.
 */
import { CONTROL_TOPIC, RESPONSE_TOPIC } from '../../dynsec/index.js';
import { asciiLower } from '../../dynsec/json.js';
import type { ClientConfig } from '../client-options/index.js';
import { MosqErr } from '../client-options/mosquitto-strings.js';
import { getPassword, type PromptIo } from '../password-prompt.js';
import { version } from '../version.js';
import { dynsecRequest, type PasswordAsker } from './dynsec-args.js';
import { initDoneText, writeInitFile } from './dynsec-init.js';
import { printResponse } from './dynsec-print.js';
import { dynsecHelpText, usageText } from './help.js';
import { ctrlConfig, parseCtrlOptions } from './options.js';
import { runExchange } from './request.js';

const invalidText = 'Error: Invalid function arguments provided.\n';
const removeIt = 'Remove the file or use a different location..\n';

/** Asks for a new client's password, confirmed by a second prompt. */
function newPasswordAsker(io: PromptIo): PasswordAsker {
  return async (username, mode) => {
    const prompt = `New password for ${username}: `;
    const again = `Reenter password for ${username}: `;
    if (mode === 'required') {
      const result = await getPassword(io, prompt, again, false);
      return result.ok ? result.password : undefined;
    }
    io.out(`Enter a password for ${username}, or just press return for none`);
    io.out(' (a client without a password cannot log in).\n');
    const result = await getPassword(io, prompt, again, true);
    if (result.ok) return result.password;
    if (result.code === 2) {
      io.err('Error: Passwords do not match.\n');
      return 'mismatch';
    }
    io.out('\n');
    return undefined;
  };
}

async function init(io: PromptIo, args: string[]): Promise<number> {
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
  const password = args[2] ?? (await newPasswordAsker(io)(username, 'required'));
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
async function loginPassword(io: PromptIo, cfg: ClientConfig): Promise<boolean> {
  if (cfg.username === undefined || cfg.password !== undefined) return true;
  const prompt = `Password for ${cfg.username}: `;
  const result = await getPassword(io, prompt, undefined, false);
  if (!result.ok) {
    io.err('Error getting password.\n');
    return false;
  }
  cfg.password = result.password;
  return true;
}

async function request(
  io: PromptIo,
  cfg: ClientConfig,
  command: Record<string, unknown>,
) {
  if (cfg.tls.cafile === undefined && cfg.tls.capath === undefined) {
    io.err('Warning: midge_ctrl is not using TLS (no --cafile or --capath):\n');
    io.err('the commands, passwords included, cross the network unencrypted.\n\n');
  }
  if (!(await loginPassword(io, cfg))) return 1;
  const print = (payload: string) => {
    const printed = printResponse(payload);
    io.out(printed.out);
    io.err(printed.err);
  };
  const exchange = { requestTopic: CONTROL_TOPIC, responseTopic: RESPONSE_TOPIC };
  return runExchange(cfg, { ...exchange, command, print }, io);
}

/**
 * Runs midge_ctrl with `argv` (the arguments after the program name) and
 * resolves with the exit status. Output and prompts go through `io`.
 */
export async function runCtrl(
  argv: string[],
  io: PromptIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const parsed = parseCtrlOptions(argv, env);
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
  if (asciiLower(rest[0]!) !== 'dynsec') {
    io.err(`Error: Module '${rest[0]}' not supported.\n`);
    return MosqErr.NotSupported;
  }
  const req = await dynsecRequest(rest.slice(1), newPasswordAsker(io));
  switch (req.kind) {
    case 'help':
      io.out(dynsecHelpText());
      return 0;
    case 'init':
      return init(io, req.args);
    case 'error':
      if (req.text !== '') io.err(req.text);
      return req.code;
    case 'command':
      return request(io, cfg, req.command);
  }
}
