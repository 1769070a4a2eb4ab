/**
 * midge_ctrl's connection options: mosquitto_ctrl's set (a subset of
 * midge_pub's, with QoS 1 and MQTT 5 by default), read from the options
 * file and then the command line. Options come first; the first argument
 * that does not start with '-' is the module name.
 *
 * The option entries are the shared ones of src/cli/client-options, so an
 * option means, checks and reports exactly what it does for midge_pub.
 * The options file is `$XDG_CONFIG_HOME/midge_ctrl` (else
 * `$HOME/.config/midge_ctrl`), or the one named by `-o`: one option and
 * at most one value per line, split at spaces, '#' lines ignored.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from '../client-options/errors.js';
import {
  type ClientConfig,
  initialConfig,
  OptionError,
} from '../client-options/index.js';
import type { OptionSpec } from '../client-options/option-spec.js';
import { connectionOptions } from '../client-options/options-connection.js';
import { tlsOptions } from '../client-options/options-tls.js';

/** The options mosquitto_ctrl 2.0 knows. */
const ctrlNames = [
  '-A',
  '--cafile',
  '--capath',
  '--cert',
  '--ciphers',
  '-d',
  '--debug',
  '-h',
  '--host',
  '--insecure',
  '-i',
  '--id',
  '--key',
  '--keyform',
  '-L',
  '--url',
  '-o',
  '-p',
  '--port',
  '-P',
  '--pw',
  '--proxy',
  '--psk',
  '--psk-identity',
  '-q',
  '--qos',
  '--quiet',
  '--tls-alpn',
  '--tls-engine',
  '--tls-engine-kpass-sha1',
  '--tls-version',
  '-u',
  '--username',
  '--unix',
  '-V',
  '--protocol-version',
];

const specs = new Map<string, OptionSpec>();
for (const spec of [...connectionOptions, ...tlsOptions]) {
  for (const name of spec.names) {
    if (ctrlNames.includes(name)) specs.set(name, spec);
  }
}
// -v is accepted and changes nothing, as in mosquitto_ctrl.
const ignored = new Set(['-v', '--verbose']);
const stops = new Set(['--help', '--version']);

export type CtrlOptions =
  | { kind: 'ok'; cfg: ClientConfig; rest: string[] }
  | { kind: 'help' }
  /** `text` goes to stderr; the arguments are then read as if unparsed. */
  | { kind: 'error'; text: string }
  /** A bad combination of options: `text` goes to stderr, exit status 1. */
  | { kind: 'fatal'; text: string };

/** mosquitto_ctrl's defaults: QoS 1, MQTT 5. */
export function ctrlConfig(): ClientConfig {
  const cfg = initialConfig('rr');
  cfg.qos = 1;
  cfg.protocolVersion = 5;
  // No -C count: libmosquitto's receive maximum of 20.
  cfg.msgCount = 0;
  return cfg;
}

/** Applies leading options; returns the index of the first other argument. */
function applyOptions(cfg: ClientConfig, args: readonly string[]): number | 'help' {
  let i = 0;
  for (; i < args.length && args[i]!.startsWith('-'); i++) {
    const arg = args[i]!;
    if (stops.has(arg)) return 'help';
    if (ignored.has(arg)) continue;
    const spec = specs.get(arg);
    if (!spec) fail(`Error: Unknown option '${arg}'.\n`);
    spec.before?.(cfg);
    if (spec.missing === undefined) {
      spec.set?.(cfg, '');
      continue;
    }
    if (i === args.length - 1) fail(`Error: ${spec.missing}.\n\n`);
    spec.set?.(cfg, args[++i]!);
  }
  return i;
}

function optionsFile(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): string | undefined {
  const at = argv.indexOf('-o');
  // Only an -o among the leading options counts.
  const firstOther = argv.findIndex((a, i) => !a.startsWith('-') && argv[i - 1] !== '-o');
  if (at >= 0 && (firstOther < 0 || at < firstOther)) return argv[at + 1];
  if (env.XDG_CONFIG_HOME !== undefined) return join(env.XDG_CONFIG_HOME, 'midge_ctrl');
  if (env.HOME !== undefined) return join(env.HOME, '.config', 'midge_ctrl');
  return undefined;
}

/** Each line of the options file as [option] or [option, value]. */
function fileLines(path: string | undefined): string[][] {
  if (path === undefined) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .map((line) =>
      line
        .replace(/[\r\n]+$/, '')
        .split(' ')
        .filter(Boolean)
        .slice(0, 2),
    )
    .filter((words) => words.length > 0);
}

/**
 * The checks mosquitto_ctrl makes on the whole set. (It prints them and
 * carries on; midge_ctrl stops, since the connection would not be the
 * one asked for.)
 */
function combinationProblem(cfg: ClientConfig): string | undefined {
  const { tls } = cfg;
  if ((tls.certfile === undefined) !== (tls.keyfile === undefined)) {
    return 'Error: Both certfile and keyfile must be provided if one of them is set.\n';
  }
  if (tls.keyform !== undefined && tls.keyfile === undefined) {
    return 'Error: If keyform is set, keyfile must be also specified.\n';
  }
  if (tls.engineKpassSha1 !== undefined && (!tls.keyform || !tls.engine)) {
    return (
      'Error: when using tls-engine-kpass-sha1, both tls-engine and keyform must ' +
      'also be provided.\n'
    );
  }
  if ((tls.cafile !== undefined || tls.capath !== undefined) && cfg.psk !== undefined) {
    return 'Error: Only one of --psk or --cafile/--capath may be used at once.\n';
  }
  if (cfg.psk !== undefined && cfg.pskIdentity === undefined) {
    return 'Error: --psk-identity required if --psk used.\n';
  }
  return undefined;
}

/** Reads the options file and the command line (after the program name). */
export function parseCtrlOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): CtrlOptions {
  const cfg = ctrlConfig();
  try {
    for (const line of fileLines(optionsFile(argv, env))) {
      if (applyOptions(cfg, line) === 'help') return { kind: 'help' };
    }
    const end = applyOptions(cfg, argv);
    if (end === 'help') return { kind: 'help' };
    const problem = combinationProblem(cfg);
    if (problem !== undefined) return { kind: 'fatal', text: problem };
    cfg.host ??= 'localhost';
    return { kind: 'ok', cfg, rest: argv.slice(end) };
  } catch (error) {
    if (error instanceof OptionError) return { kind: 'error', text: error.text };
    throw error;
  }
}
