/**
 * The broker's command line, with Mosquitto's flags and error messages.
 * Arguments are taken in order and the first problem stops the parse,
 * as Mosquitto does; `-h` stops it too.
 */

export interface CommandLine {
  /** -c, --config-file */
  configFile: string | null;
  /** -d, --daemon */
  daemon: boolean;
  /** -p, --port: loopback listeners, used only when the config has none. */
  ports: number[];
  /** -v, --verbose: log_type all. */
  verbose: boolean;
  /** -q, --quiet: log_type none; wins over -v. */
  quiet: boolean;
  /** -h, --help */
  help: boolean;
  /** --test-config: read the config and exit. */
  testConfig: boolean;
  /** --tls-keylog FILE */
  tlsKeylog: string | null;
}

/**
 * A bad command line: `message` is what Mosquitto prints, `showUsage`
 * whether the usage text follows it.
 */
export class CommandLineError extends Error {
  readonly showUsage: boolean;

  constructor(message: string, showUsage = false) {
    super(message);
    this.name = 'CommandLineError';
    this.showUsage = showUsage;
  }
}

const MAX_PORTS = 10;

function argValue(argv: readonly string[], i: number, missing: string): string {
  const value = argv[i + 1];
  if (value === undefined) throw new CommandLineError(`Error: ${missing}`);
  return value;
}

function parsePort(text: string): number {
  const port = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new CommandLineError(`Error: Invalid port specified (${text}).`);
  }
  return port;
}

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const cl: CommandLine = {
    configFile: null,
    daemon: false,
    ports: [],
    verbose: false,
    quiet: false,
    help: false,
    testConfig: false,
    tlsKeylog: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    switch (arg) {
      case '-c':
      case '--config-file':
        cl.configFile = argValue(
          argv,
          i++,
          '-c argument given, but no config file specified.',
        );
        break;
      case '-d':
      case '--daemon':
        cl.daemon = true;
        break;
      case '-h':
      case '--help':
        cl.help = true;
        return cl;
      case '-p':
      case '--port': {
        const port = parsePort(
          argValue(argv, i++, '-p argument given, but no port specified.'),
        );
        if (cl.ports.length === MAX_PORTS) {
          throw new CommandLineError(
            `Error: Only ${MAX_PORTS} ports can be specified on the command line.`,
          );
        }
        cl.ports.push(port);
        break;
      }
      case '-v':
      case '--verbose':
        cl.verbose = true;
        break;
      case '-q':
      case '--quiet':
        cl.quiet = true;
        break;
      case '--test-config':
        cl.testConfig = true;
        break;
      case '--tls-keylog':
        cl.tlsKeylog = argValue(
          argv,
          i++,
          '--tls-keylog argument given, but no file specified.',
        );
        break;
      default:
        throw new CommandLineError(`Error: Unknown option '${arg}'.`, true);
    }
  }
  return cl;
}

/** One flag of the usage text: the flag and its explanation lines. */
interface UsageEntry {
  flag: string;
  text: readonly string[];
}

const USAGE_ENTRIES: readonly UsageEntry[] = [
  { flag: '-c', text: ['read the configuration from this file.'] },
  { flag: '-d', text: ['detach from the terminal and run in the background.'] },
  { flag: '-h', text: ['print this help and exit.'] },
  {
    flag: '-p',
    text: [
      'listen on this port, on the loopback addresses only.',
      'Up to 10 times; ignored when the config file has listeners.',
    ],
  },
  { flag: '-q', text: ['quiet mode: log nothing. Wins over -v and the config file.'] },
  {
    flag: '-v',
    text: ['verbose mode: log every type of message, whatever the', 'config file says.'],
  },
  { flag: '--test-config', text: ['check the configuration file, then exit.'] },
  {
    flag: '--tls-keylog',
    text: [
      'append TLS session keys to a file so a tool such as',
      'Wireshark can decrypt the traffic. For debugging only.',
    ],
  },
];

const SYNOPSIS = [
  'Usage: midge [-c config_file] [-d] [-h] [-p port] [-q] [-v]',
  '             [--test-config] [--tls-keylog file]',
  '       midge bench [options]   (benchmarks; midge bench --help)',
];

/** The help text, laid out like `mosquitto -h`. */
export function usage(version: string): string {
  const lines = [
    `midge version ${version}`,
    '',
    'midge is an MQTT v5.0/v3.1.1/v3.1 broker.',
    '',
    ...SYNOPSIS,
    '',
  ];
  for (const entry of USAGE_ENTRIES) {
    const [first, ...more] = entry.text;
    lines.push(` ${entry.flag} : ${first}`);
    const indent = ' '.repeat(entry.flag.length + 4);
    for (const line of more) lines.push(`${indent}${line}`);
  }
  lines.push('', 'See the docs folder of midge for more information.', '');
  return `${lines.join('\n')}\n`;
}
