/**
 * Builds a tool's configuration: defaults, then the options file, then the
 * command line, then the checks that need the whole set, in Mosquitto's
 * order (each check reports the first problem it meets and stops).
 */
import { type ClientConfig, initialConfig, type ToolKind, uint32Max } from './config.js';
import { fail, OptionError } from './errors.js';
import { optionsFilePath, readOptionsFile } from './options-file.js';
import { type ParseStop, parseArgs } from './parse-args.js';
import { checkPropertyLists } from './property-checks.js';

export type LoadResult =
  | { kind: 'ok'; config: ClientConfig }
  | { kind: 'help' | 'version' }
  /** `text` goes to stderr, then the "Use ... --help" hint; exit status 1. */
  | { kind: 'error'; text: string };

function checkWillAndTls(cfg: ClientConfig): void {
  if (cfg.will.payload !== undefined && cfg.will.topic === undefined) {
    fail('Error: Will payload given, but no will topic given.\n');
  }
  if (cfg.will.retain && cfg.will.topic === undefined) {
    fail('Error: Will retain given, but no will topic given.\n');
  }
  const { tls } = cfg;
  if ((tls.certfile === undefined) !== (tls.keyfile === undefined)) {
    fail('Error: Both certfile and keyfile must be provided if one of them is set.\n');
  }
  if (tls.keyform !== undefined && tls.keyfile === undefined) {
    fail('Error: If keyform is set, keyfile must be also specified.\n');
  }
  if (
    tls.engineKpassSha1 !== undefined &&
    (tls.keyform === undefined || tls.engine === undefined)
  ) {
    fail(
      'Error: when using tls-engine-kpass-sha1, both tls-engine and keyform must ' +
        'also be provided.\n',
    );
  }
  if ((tls.cafile !== undefined || tls.capath !== undefined) && cfg.psk !== undefined) {
    fail('Error: Only one of --psk or --cafile/--capath may be used at once.\n');
  }
  if (cfg.psk !== undefined && cfg.pskIdentity === undefined) {
    fail('Error: --psk-identity required if --psk used.\n');
  }
}

/** A persistent session needs a name the next connection can give again. */
function checkSession(cfg: ClientConfig): void {
  const noFixedId = cfg.idPrefix !== undefined || cfg.id === undefined;
  if (cfg.protocolVersion !== 5) {
    if (!cfg.cleanSession && noFixedId) {
      fail('Error: You must provide a client id if you are using the -c option.\n');
    }
    return;
  }
  if (!cfg.cleanSession && cfg.sessionExpiry === -1) cfg.sessionExpiry = uint32Max;
  if (cfg.sessionExpiry <= 0) return;
  if (cfg.sessionExpiry === uint32Max && noFixedId) {
    fail(
      'Error: You must provide a client id if you are using an infinite session ' +
        'expiry interval.\n',
    );
  }
  cfg.properties.connect.push({
    name: 'session-expiry-interval',
    key: 'sessionExpiryInterval',
    value: cfg.sessionExpiry,
  });
}

function finish(cfg: ClientConfig): void {
  checkWillAndTls(cfg);
  checkSession(cfg);
  if (cfg.tool === 'sub' && cfg.topics.length === 0) {
    fail('Error: You must specify a topic to subscribe to.\n');
  }
  cfg.host ??= 'localhost';
  checkPropertyLists(cfg);
}

function load(tool: ToolKind, argv: string[], env: NodeJS.ProcessEnv): LoadResult {
  const cfg = initialConfig(tool);
  const file = optionsFilePath(tool, argv, env);
  // Without HOME or XDG_CONFIG_HOME there is no options file, and the
  // command line alone counts, as with mosquitto_pub 2.0.11.
  cfg.optionsFile = file;
  let stop: ParseStop;
  for (const line of file === undefined ? [] : readOptionsFile(file)) {
    stop = parseArgs(cfg, line);
    if (stop) return { kind: stop };
  }
  stop = parseArgs(cfg, argv);
  if (stop) return { kind: stop };
  finish(cfg);
  return { kind: 'ok', config: cfg };
}

/** Reads the options file and `argv` (the arguments after the program name). */
export function loadConfig(
  tool: ToolKind,
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): LoadResult {
  try {
    return load(tool, argv, env);
  } catch (error) {
    if (error instanceof OptionError) return { kind: 'error', text: error.text };
    throw error;
  }
}
