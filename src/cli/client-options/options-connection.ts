/**
 * Options every tool has: where and how to connect, who to be, the will,
 * TLS, PSK and the proxy.
 */
import { atoi, strtol } from './c-numbers.js';
import { type ClientConfig, uint32Max } from './config.js';
import { fail } from './errors.js';
import { allTools, type OptionSpec } from './option-spec.js';
import { parsePropertyArg } from './property-args.js';
import { setWillTopic } from './topic-args.js';
import { applyProxy, applyUrl } from './urls.js';

function qos(value: number): 0 | 1 | 2 {
  return value as 0 | 1 | 2;
}

const versions: Record<string, 3 | 4 | 5> = {
  mqttv31: 3,
  '31': 3,
  mqttv311: 4,
  '311': 4,
  mqttv5: 5,
  '5': 5,
};

function setPort(cfg: ClientConfig, value: string): void {
  const port = atoi(value);
  if (port < 0 || port > 65535) fail(`Error: Invalid port given: ${port}\n`);
  cfg.port = port;
}

function setKeepalive(cfg: ClientConfig, value: string): void {
  const keepalive = atoi(value);
  if (keepalive < 5 || keepalive > 65535) {
    fail('Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.\n\n');
  }
  cfg.keepalive = keepalive;
}

function setSessionExpiry(cfg: ClientConfig, value: string): void {
  if (value === '∞') {
    cfg.sessionExpiry = uint32Max;
    return;
  }
  const { value: parsed, end } = strtol(value, 0);
  if (end === 0 || end !== value.length) {
    fail('Error: session-expiry-interval not a number.\n\n');
  }
  if (parsed > BigInt(uint32Max) || parsed < -1n) {
    fail('Error: session-expiry-interval out of range.\n\n');
  }
  // -1 is the command line's way of writing "never expires".
  cfg.sessionExpiry = parsed === -1n ? uint32Max : Number(parsed);
}

function setQos(cfg: ClientConfig, value: string): void {
  const n = atoi(value);
  if (n < 0 || n > 2) fail(`Error: Invalid QoS given: ${n}\n`);
  cfg.qos = qos(n);
}

function setWillQos(cfg: ClientConfig, value: string): void {
  const n = atoi(value);
  if (n < 0 || n > 2) fail(`Error: Invalid will QoS ${n}.\n\n`);
  cfg.will.qos = qos(n);
}

function setMaxInflight(cfg: ClientConfig, value: string): void {
  const n = atoi(value);
  if (n < 1) fail('Error: Maximum inflight messages must be greater than 0.\n\n');
  cfg.maxInflight = n;
}

function setVersion(cfg: ClientConfig, value: string): void {
  const version = Object.hasOwn(versions, value) ? versions[value] : undefined;
  if (!version) fail('Error: Invalid protocol version argument given.\n\n');
  cfg.protocolVersion = version;
}

const idTogether = 'Error: -i and -I argument cannot be used together.\n\n';

function entry(
  names: string[],
  missing: string | undefined,
  set: (cfg: ClientConfig, value: string) => void,
): OptionSpec {
  return missing === undefined
    ? { names, tools: allTools, set }
    : { names, tools: allTools, missing, set };
}

export const connectionOptions: OptionSpec[] = [
  entry(['-A'], '-A argument given but no address specified', (c, v) => {
    c.bindAddress = v;
  }),
  entry(['-h', '--host'], '-h argument given but no host specified', (c, v) => {
    c.host = v;
  }),
  entry(['-p', '--port'], '-p argument given but no port specified', setPort),
  entry(['-L', '--url'], '-L argument given but no URL specified', applyUrl),
  entry(['--unix'], '--unix argument given but no socket path specified', (c, v) => {
    c.host = v;
    c.port = 0;
  }),
  entry(['-S'], undefined, (c) => {
    c.useSrv = true;
  }),
  entry(['--nodelay'], undefined, (c) => {
    c.tcpNoDelay = true;
  }),
  entry(['--ws'], undefined, (c) => {
    c.transport = 'ws';
  }),
  entry(['--no-tls'], undefined, (c) => {
    c.noTls = true;
  }),
  {
    names: ['-i', '--id'],
    tools: allTools,
    missing: '-i argument given but no id specified',
    before: (c) => c.idPrefix !== undefined && fail(idTogether),
    set: (c, v) => {
      c.id = v;
    },
  },
  {
    names: ['-I', '--id-prefix'],
    tools: allTools,
    missing: '-I argument given but no id prefix specified',
    before: (c) => c.id !== undefined && fail(idTogether),
    set: (c, v) => {
      c.idPrefix = v;
    },
  },
  entry(
    ['-k', '--keepalive'],
    '-k argument given but no keepalive specified',
    setKeepalive,
  ),
  entry(
    ['-V', '--protocol-version'],
    '--protocol-version argument given but no version specified',
    setVersion,
  ),
  entry(['-c', '--disable-clean-session'], undefined, (c) => {
    c.cleanSession = false;
  }),
  entry(
    ['-x'],
    '-x argument given but no session expiry interval specified',
    setSessionExpiry,
  ),
  entry(['-M'], '-M argument given but max_inflight not specified', setMaxInflight),
  entry(['-q', '--qos'], '-q argument given but no QoS specified', setQos),
  entry(['-d', '--debug'], undefined, (c) => {
    c.debug = true;
  }),
  entry(['--quiet'], undefined, (c) => {
    c.quiet = true;
  }),
  entry(['-u', '--username'], '-u argument given but no username specified', (c, v) => {
    c.username = v;
  }),
  entry(['-P', '--pw'], '-P argument given but no password specified', (c, v) => {
    c.password = v;
  }),
  entry(
    ['--will-topic'],
    '--will-topic argument given but no will topic specified',
    setWillTopic,
  ),
  entry(
    ['--will-payload'],
    '--will-payload argument given but no will payload specified',
    (c, v) => {
      c.will.payload = v;
    },
  ),
  entry(
    ['--will-qos'],
    '--will-qos argument given but no will QoS specified',
    setWillQos,
  ),
  entry(['--will-retain'], undefined, (c) => {
    c.will.retain = true;
  }),
  entry(['--proxy'], '--proxy argument given but no proxy url specified', applyProxy),
  {
    names: ['-D', '--property'],
    tools: allTools,
    parse: (c, argv, i) => {
      const last = parsePropertyArg(c, argv, i + 1);
      // Properties exist only in MQTT 5, so -D switches to it.
      c.protocolVersion = 5;
      return last;
    },
  },
  { names: ['--help'], tools: allTools, result: 'help' },
  { names: ['--version'], tools: allTools, result: 'version' },
  // Mosquitto 2.1's options file; the file was read before the command line.
  entry(['-o'], '-o argument given but no options file specified', () => {}),
];
