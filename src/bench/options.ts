/**
 * Command-line options of `midge bench` (and `npm run bench`); the help
 * text is built from the table.
 */
import type { BrokerName } from './brokers/brokers.js';
import { brokerNames, defaultBrokers } from './brokers/brokers.js';
import type { Settings } from './scenarios/types.js';

export interface Options {
  settings: Settings;
  brokers: BrokerName[];
  scenarios: string[];
  workers: number;
  out: string;
  pin: boolean;
  /** Start a broker once and run every scenario on it (quick, less clean). */
  reuseBrokers: boolean;
  /** Seconds to wait, before each run, for other processes to go quiet. */
  waitQuiet: number;
  /** Run midge with --cpu-prof. */
  profile: boolean;
  /** midge's entry point, when not this tree's dist/cli/midge.js. */
  midge: string | null;
  /** A results file to print as Markdown instead of running. */
  markdown: string | null;
  list: boolean;
  help: boolean;
  quiet: boolean;
}

interface OptionRow {
  flag: string;
  arg?: string;
  help: string;
  apply: (o: Options, value: string) => void;
}

function num(flag: string, value: string, min = 0): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min)
    throw new Error(`${flag}: not a number >= ${min}: ${value}`);
  return n;
}

/** A count of clients, messages or threads: a whole number. */
function count(flag: string, value: string, min = 1): number {
  const n = num(flag, value, min);
  if (!Number.isInteger(n)) throw new Error(`${flag}: not a whole number: ${value}`);
  return n;
}

// window 20: Mosquitto's and midge's default max_inflight_messages, which
// they also apply to incoming QoS 2; a 3.1.1 client that exceeds it has
// its QoS 2 messages refused without being told.
const defaultSettings: Settings = {
  duration: 3,
  warmup: 1,
  latencyWarmup: 5,
  idle: 10_000,
  rate: 10_000,
  publishRate: 0,
  window: 20,
  fan: 10,
  retained: 10_000,
  retainedSubscribers: 10,
  stormConcurrency: 50,
  version: 4,
  drainMs: 10_000,
  quietMs: 1000,
  settleMs: 1500,
};

/** The Settings that take any number. */
type NumberSetting = {
  [K in keyof Settings]: number extends Settings[K] ? K : never;
}[keyof Settings];

/** A row that sets one number of Settings; its help ends with the default. */
function setting(
  flag: string,
  arg: string,
  key: NumberSetting,
  help: string,
  parse: (flag: string, value: string) => number,
): OptionRow {
  return {
    flag,
    arg,
    help: `${help} (${defaultSettings[key]})`,
    apply: (o, v) => {
      o.settings[key] = parse(flag, v);
    },
  };
}

const rows: OptionRow[] = [
  {
    flag: '--brokers',
    arg: 'list',
    help: `comma-separated, from ${brokerNames.join(',')} (floor: when named)`,
    apply: (o, v) => {
      o.brokers = parseBrokers(v);
    },
  },
  {
    flag: '--scenarios',
    arg: 'list',
    help: 'run only the scenarios named, or whose id contains one of these',
    apply: (o, v) => {
      o.scenarios = v.split(',').filter(Boolean);
    },
  },
  setting(
    '--duration',
    's',
    'duration',
    'seconds measured per scenario and broker',
    (f, v) => num(f, v, 0.05),
  ),
  setting('--warmup', 's', 'warmup', 'seconds of load before measuring', num),
  setting(
    '--latency-warmup',
    's',
    'latencyWarmup',
    'the same for the latency scenarios',
    num,
  ),
  setting('--idle', 'n', 'idle', 'idle connections for the memory scenario', count),
  setting('--rate', 'n', 'rate', 'msg/s in the latency scenarios', (f, v) =>
    num(f, v, 1),
  ),
  {
    flag: '--publish-rate',
    arg: 'n',
    help: 'msg/s per publisher in throughput scenarios (0 = open loop)',
    apply: (o, v) => {
      o.settings.publishRate = num('--publish-rate', v);
    },
  },
  setting(
    '--window',
    'n',
    'window',
    'unacknowledged QoS 1/2 messages per publisher',
    (f, v) => Math.min(65535, count(f, v)),
  ),
  setting('--fan', 'n', 'fan', 'N of fan-in, fan-out and pairs', count),
  {
    flag: '--retained',
    arg: 'n',
    help: 'retained messages in the storm (10000, max 65535)',
    apply: (o, v) => {
      o.settings.retained = Math.min(65535, count('--retained', v));
    },
  },
  {
    flag: '--mqtt',
    arg: '4|5',
    help: 'protocol level: 4 = 3.1.1 (default), 5 = 5.0',
    apply: (o, v) => {
      if (v !== '4' && v !== '5') throw new Error(`--mqtt: 4 or 5, not ${v}`);
      o.settings.version = v === '5' ? 5 : 4;
    },
  },
  {
    flag: '--workers',
    arg: 'n',
    help: 'generator threads (default: cores left after the broker)',
    apply: (o, v) => {
      o.workers = count('--workers', v);
    },
  },
  {
    flag: '--out',
    arg: 'dir',
    help: 'where results go (./midge-bench)',
    apply: (o, v) => {
      o.out = v;
    },
  },
  {
    flag: '--no-pin',
    help: 'do not pin broker and generator to separate cores',
    apply: (o) => {
      o.pin = false;
    },
  },
  {
    flag: '--reuse-brokers',
    help: 'one broker process for all scenarios (faster, less clean)',
    apply: (o) => {
      o.reuseBrokers = true;
    },
  },
  {
    flag: '--wait-quiet',
    arg: 's',
    help: 'on a shared machine, wait up to s seconds before each run for others to idle',
    apply: (o, v) => {
      o.waitQuiet = num('--wait-quiet', v);
    },
  },
  {
    flag: '--midge',
    arg: 'file',
    help: "midge entry to run (default: this package's dist/cli/midge.js)",
    apply: (o, v) => {
      o.midge = v;
    },
  },
  {
    flag: '--profile',
    help: 'run midge with --cpu-prof; each profile lands beside its broker log',
    apply: (o) => {
      o.profile = true;
    },
  },
  {
    flag: '--smoke',
    help: 'a quick check (some 15 s): tiny counts, low rates; other options win',
    // Applied first, wherever it stands: see parseOptions.
    apply: () => {},
  },
  {
    flag: '--quiet',
    help: 'no progress line',
    apply: (o) => {
      o.quiet = true;
    },
  },
  {
    flag: '--markdown',
    arg: 'file',
    help: 'print a results.json as the Markdown tables of docs/benchmarks.md',
    apply: (o, v) => {
      o.markdown = v;
    },
  },
  {
    flag: '--list',
    help: 'list the scenarios and exit',
    apply: (o) => {
      o.list = true;
    },
  },
  {
    flag: '--help',
    help: 'this text (also -h)',
    apply: (o) => {
      o.help = true;
    },
  },
];

function parseBrokers(value: string): BrokerName[] {
  const names = value.split(',').filter(Boolean);
  if (names.length === 0) throw new Error('--brokers: no broker named');
  for (const [i, name] of names.entries()) {
    if (!brokerNames.includes(name as BrokerName))
      throw new Error(`unknown broker: ${name}`);
    // Run twice, a broker would show its first run's figures twice.
    if (names.indexOf(name) !== i) throw new Error(`--brokers: ${name} named twice`);
  }
  return names as BrokerName[];
}

function smoke(o: Options): void {
  Object.assign(o.settings, {
    duration: 0.15,
    warmup: 0.05,
    latencyWarmup: 0.05,
    idle: 200,
    rate: 500,
    publishRate: 2000,
    fan: 3,
    retained: 300,
    retainedSubscribers: 2,
    stormConcurrency: 10,
    drainMs: 3000,
    quietMs: 150,
    settleMs: 200,
  });
  o.reuseBrokers = true;
}

export function defaultOptions(cpus: number): Options {
  return {
    settings: { ...defaultSettings },
    brokers: [...defaultBrokers],
    scenarios: [],
    workers: Math.max(1, cpus - 1),
    out: 'midge-bench',
    pin: true,
    reuseBrokers: false,
    profile: false,
    waitQuiet: 0,
    midge: null,
    markdown: null,
    list: false,
    help: false,
    quiet: false,
  };
}

/** `--flag=value` split at its first `=` (a value may hold more). */
function splitInline(arg: string): [string, string | undefined] {
  const at = arg.indexOf('=');
  return at < 0 ? [arg, undefined] : [arg.slice(0, at), arg.slice(at + 1)];
}

export function parseOptions(argv: string[], cpus: number): Options {
  const o = defaultOptions(cpus);
  // --smoke sets many settings at once; options given beside it win
  // whichever comes first (`--duration 2 --smoke` measures 2 s).
  if (argv.includes('--smoke')) smoke(o);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = splitInline(arg);
    // -h as well, since `midge -h` is how the broker's help is asked for.
    const row = rows.find((r) => r.flag === (flag === '-h' ? '--help' : flag));
    if (!row) throw new Error(`unknown option: ${arg} (see --help)`);
    if (!row.arg && inline !== undefined) throw new Error(`${flag} takes no value`);
    let value = inline ?? '';
    if (row.arg && inline === undefined) {
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      value = argv[++i]!;
    }
    // An empty value is a mistake (an unset shell variable, say): an empty
    // --out would write into the current directory itself.
    if (row.arg && value === '') throw new Error(`${flag} needs a value`);
    row.apply(o, value);
  }
  return o;
}

export function helpText(): string {
  const lines = rows.map((r) => {
    const left = r.arg ? `${r.flag} <${r.arg}>` : r.flag;
    return `  ${left.padEnd(22)} ${r.help}`;
  });
  return [
    'Usage: midge bench [options]   (in a clone of midge: npm run bench -- [options])',
    '',
    'Runs the benchmark scenarios against midge, Mosquitto and Aedes and',
    'reports each figure with its ratio to Mosquitto and to Aedes (and to',
    "the Node floor, Node's I/O with no MQTT work, when --brokers names it).",
    '',
    ...lines,
    '',
  ].join('\n');
}
