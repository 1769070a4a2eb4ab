/**
 * --help output in the layout of Mosquitto's tools: a short introduction,
 * the version, the usage synopsis aligned under the tool's name, one entry
 * per option (`flag : text`, continuation lines aligned after the colon)
 * and a closing pointer to the documentation.
 */
import type { ToolKind } from './config.js';
import { type HelpLines, sharedEntries, toolEntries } from './help-entries.js';

interface ToolHelp {
  /** NAME stands for the tool's name. */
  intro: string[];
  /** First line after "Usage: name ", then lines aligned under it. */
  synopsis: string[];
  /** The flags in the order they are described. */
  order: string[];
}

const will = '[--will-topic [--will-payload payload] [--will-qos qos] [--will-retain]]';
const tlsBlock = [
  '[--no-tls]',
  '[{--cafile file | --capath dir} [--cert file] [--key file]',
  '  [--ciphers ciphers] [--insecure]',
  '  [--tls-alpn protocol]',
  '  [--tls-engine engine] [--keyform keyform] [--tls-engine-kpass-sha1]]',
  '  [--tls-use-os-certs]',
  '[--psk hex-key --psk-identity identity [--ciphers ciphers]]',
  '[--proxy socks-url]',
];
const tlsOrder = [
  '--cafile',
  '--capath',
  '--cert',
  '--key',
  '--keyform',
  '--ciphers',
  '--tls-version',
  '--insecure',
  '--tls-engine',
  '--tls-engine-kpass-sha1',
  '--tls-use-os-certs',
  '--psk',
  '--psk-identity',
  '--proxy',
];
/** midge_rr's TLS entries: mosquitto_rr's order, plus the three it leaves out. */
const rrTlsOrder = [
  ...['--cafile', '--capath', '--cert', '--key', '--keyform', '--ciphers'],
  ...['--tls-use-os-certs', '--tls-version', '--insecure', '--tls-engine'],
  ...['--tls-engine-kpass-sha1', '--psk', '--psk-identity', '--proxy'],
];
const willOrder = ['--will-payload', '--will-qos', '--will-retain', '--will-topic'];
const transportOrder = ['--ws', '--no-tls'];
/** The synopsis lines midge_sub and midge_rr end with alike. */
const receiverTail = [
  '[-W timeout_secs]',
  '[-A bind_address] [--nodelay] [-S]',
  '[-i id] [-I id_prefix]',
  '[-d] [-N] [--quiet] [-v]',
  will,
  ...tlsBlock,
  '[-D command identifier value]',
  '[-o options-file]',
];
const server = '[-h host] [--unix path] [-p port] [-u username] [-P password] [--ws]';

const tools: Record<ToolKind, ToolHelp> = {
  pub: {
    intro: [
      'NAME is a small MQTT client that publishes messages to one topic, then exits.',
    ],
    synopsis: [
      `{${server} -t topic | -L URL}`,
      '{-f file | -l | -n | -m message | -s}',
      '[-c] [-k keepalive] [-q qos] [-r] [--repeat N] [--repeat-delay time] ' +
        '[-x session-expiry]',
      '[-A bind_address] [--nodelay] [-S]',
      '[-i id] [-I id_prefix]',
      '[-d] [--quiet]',
      '[-M max_inflight]',
      '[-u username [-P password]]',
      will,
      ...tlsBlock,
      '[--property command identifier value]',
      '[-D command identifier value]',
      '[-o options-file]',
    ],
    order: [
      ...['-A', '-d', '-c', '-D', '-f', '-h', '-i', '-I', '-k', '-L', '-l', '-m', '-M'],
      ...['-n', '-o', '-p', '-P', '-q', '-r', '-s', '-S', '-t', '-u', '-V', '-x'],
      ...['--help', '--nodelay', '--quiet', '--repeat', '--repeat-delay', '--unix'],
      ...willOrder,
      ...transportOrder,
      ...tlsOrder,
    ],
  },
  sub: {
    intro: [
      'NAME is a small MQTT client that subscribes to topics and prints the ' +
        'messages it receives.',
    ],
    synopsis: [
      `{${server} -t topic | -L URL [-t topic]}`,
      '[-c] [-k keepalive] [-q qos] [-x session-expiry-interval]',
      '[-C msg_count] [-E] [-R] [--retained-only] [--remove-retained] ' +
        '[-T filter_out] [-U topic ...]',
      '[-F format]',
      ...receiverTail,
    ],
    order: [
      ...['-A', '-c', '-C', '-d', '-D', '-E', '-F', '-h', '-i', '-I', '-k', '-L', '-N'],
      ...['-o', '-p', '-P', '-q', '-R', '-S', '-t', '-T', '-u', '-U', '-v', '-V', '-W'],
      ...['-x', '--help', '--nodelay', '--pretty', '--quiet', '--random-filter'],
      ...['--retained-only', '--remove-retained', '--unix'],
      ...willOrder,
      ...transportOrder,
      ...tlsOrder,
    ],
  },
  rr: {
    intro: [
      'NAME is an MQTT client that publishes a request and waits for the response.',
      'It uses MQTT v5 request/response (a response topic in the request) by',
      'default, and works with MQTT v3.1.1 brokers too.',
    ],
    synopsis: [
      `{${server} -t topic | -L URL} -e response-topic`,
      '{-f file | -n | -m message | -s}',
      '[-c] [-k keepalive] [-q qos] [-R] [-x session-expiry-interval]',
      '[-F format]',
      ...receiverTail,
    ],
    order: [
      ...['-A', '-c', '-d', '-D', '-e', '-f', '-F', '-h', '-i', '-I', '-k', '-L', '-m'],
      ...['-n', '-N', '-o', '-p', '-P', '-q', '-R', '-s', '-S', '-t', '-u', '-v', '-V'],
      ...['-W', '-x', '--help', '--nodelay', '--pretty', '--quiet', '--unix'],
      ...willOrder,
      ...transportOrder,
      ...rrTlsOrder,
    ],
  },
};

export function toolName(tool: ToolKind): string {
  return `midge_${tool}`;
}

/** The description of `flag` for `tool`. */
export function helpEntry(tool: ToolKind, flag: string): HelpLines | undefined {
  return toolEntries[tool][flag] ?? sharedEntries[flag];
}

/** The flags --help describes for `tool`, in order. */
export function helpFlags(tool: ToolKind): readonly string[] {
  return tools[tool].order;
}

function entryLines(tool: ToolKind, flag: string): string[] {
  const lines = helpEntry(tool, flag);
  if (!lines) throw new Error(`no help text for ${flag}`);
  const indent = ' '.repeat(flag.length + 4);
  return [` ${flag} : ${lines[0]}`, ...lines.slice(1).map((l) => indent + l)];
}

export function versionLine(tool: ToolKind, version: string): string {
  const node = process.versions.node;
  return `${toolName(tool)} version ${version} running on Node.js ${node}.`;
}

/** The whole --help text, ending in a blank line as Mosquitto's does. */
export function helpText(tool: ToolKind, version: string): string {
  const name = toolName(tool);
  const help = tools[tool];
  const usage = `Usage: ${name} `;
  const align = ' '.repeat(usage.length);
  // The first line starts with the tool's name; the others align after it.
  const intro = help.intro.map((l, i) =>
    i === 0 ? l.replace('NAME', name) : ' '.repeat(name.length + 1) + l,
  );
  const lines = [
    ...intro,
    versionLine(tool, version),
    '',
    usage + help.synopsis[0],
    ...help.synopsis.slice(1).map((l) => align + l),
    `       ${name} --help`,
    '',
    ...help.order.flatMap((flag) => entryLines(tool, flag)),
    '',
    'See docs/tools.md in the midge package for more information.',
    '',
  ];
  return `${lines.join('\n')}\n`;
}
