/**
 * Bad option sets, run through Debian's mosquitto_pub/_sub/_rr and midge's
 * tools side by side: stderr (with mosquitto_x read as midge_x), stdout and
 * the exit status must be the same. Each run also gets -h/-p of a broker
 * started here, so a set that is accepted only ever reaches that broker.
 *
 * To keep the file fast, a set that midge's option loader refuses is
 * checked in-process (loadConfig's text plus the usage hint is exactly
 * what the tool prints, as the few end-to-end cases at the end confirm);
 * every set the loader accepts runs the real midge tool.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/cli/client-options/index.js';
import { usageHint } from '../../src/cli/client-options/tool-runtime.js';
import {
  emptyHome,
  fileBroker,
  inParallel,
  type RunResult,
  renamed,
  run,
  type Tool,
} from './helpers.js';

const broker = fileBroker();

/**
 * What each tool needs besides the option under test to get past its
 * checks. The topics differ so that no run sees another's messages.
 */
const base: Record<Tool, string[]> = {
  pub: ['-t', 'p', '-m', 'x'],
  sub: ['-t', 's', '-W', '1'],
  rr: ['-t', 'r', '-e', 'b', '-m', 'x', '-W', '1'],
};

const valueOptions = [
  ...['-A', '--cafile', '--capath', '--cert', '--ciphers', '-C', '-e', '-f', '-F', '-h'],
  ...['-i', '-I', '-k', '--key', '--keyform', '-L', '-m', '-M', '-p', '-P', '--proxy'],
  ...['--psk', '--psk-identity', '-q', '--random-filter', '--repeat', '--repeat-delay'],
  ...[
    '-t',
    '-T',
    '--tls-alpn',
    '--tls-engine',
    '--tls-engine-kpass-sha1',
    '--tls-version',
  ],
  ...['-U', '-u', '--unix', '-V', '-W', '--will-payload', '--will-qos', '--will-topic'],
  ...['-x', '-D', '--url', '--id-prefix', '--username', '--pw', '--message', '--file'],
];

/** Options some tools do not know: "Unknown option" there. */
const toolOnly = [
  ...['-c', '-d', '-E', '-l', '-n', '-N', '-r', '-R', '-s', '-v', '--pretty'],
  ...['--remove-retained', '--retain-as-published', '--retained-only', '--bogus', '-w'],
];

const badValues: string[][] = [
  ['-q', '3'],
  ['-q', 'x'],
  ['-k', '4'],
  ['-k', '65536'],
  ['-p', '99999999999'],
  ['-p', '-1'],
  ['-V', '4'],
  ['-x', 'abc'],
  ['-x', '-2'],
  ['-x', '4294967296'],
  ['-x', '12z'],
  ['-c'],
  ['-c', '-V', '5'],
  ['-c', '-I', 'pre'],
  ['-c', '-V', '5', '-x', '10'],
  ['-i', 'a', '-I', 'b'],
  ['-i', ''],
  ['--will-payload', 'x'],
  ['--will-retain'],
  ['--will-qos', '3'],
  ['--will-topic', 'a/#'],
  ['--cert', 'a'],
  ['--keyform', 'pem'],
  ['--keyform', 'foo', '--key', 'k', '--cert', 'c'],
  ['--tls-engine-kpass-sha1', 'x'],
  ['--psk', '00'],
  ['--psk', '00', '--cafile', 'x'],
  ['--psk', 'zz', '--psk-identity', 'i'],
  ['--cafile', '/nonexistent'],
  ['--tls-version', 'tlsv9'],
  ['-M', '0'],
  ['-C', '0'],
  ['-W', 'x'],
  ['--random-filter', '0.09'],
  ['--repeat', '0'],
  ['--repeat-delay', '-1'],
  ['-m', 'a', '-n'],
  ['-t', 'a/+'],
  ['-t', 'a/#/b'],
  ['-t', 'a\tb'],
  ['-T', 'a#'],
  ['-U', '\x7f'],
  ['-e', 'a/#'],
  ['-L', 'http://x/a'],
  ['-L', 'mqtt://127.0.0.1:1/'],
  ['-L', 'mqtt://127.0.0.1:1'],
  ['-F', '%'],
  ['-F', '%5.3'],
  ['-F', '%-05.3k'],
  ['-F', '%d'],
  ['-F', '@'],
  ['-F', '\\'],
  ['-F', '\\q'],
  ['-F', '%0-5t'],
  ['--proxy', 'http://x'],
  ['--proxy', 'socks5h://'],
  ['--proxy', 'socks5h://h:99999'],
  ['--proxy', 'socks5h://u:p@h:1:2'],
  ['--proxy', 'socks5h://u%zz@h'],
  ['--quiet', '--proxy', 'http://x'],
  ['-D', 'connect', 'receive-maximum'],
  ['-D', 'connect', 'foo', '1'],
  ['-D', 'conect', 'receive-maximum', '1'],
  ['-D', 'suback', 'reason-string', '1'],
  ['-D', 'connack', 'maximum-qos', '1'],
  ['-D', 'connect', 'maximum-qos', '1'],
  ['-D', 'publish', 'subscription-identifier', '3'],
  ['-D', 'auth', 'authentication-method', '3'],
  ['-D', 'pubrel', 'user-property', 'a', 'b'],
  ['-D', 'connect', 'user-property', 'a'],
  ['-D', 'CONNECT', 'Receive-Maximum', '1', '-D', 'connect', 'receive-maximum', '2'],
  ['-D', 'publish', 'topic-alias', '0'],
  ['-D', 'connect', 'request-response-information', '2'],
  ['-D', 'connect', 'receive-maximum', '70000'],
  ['-D', 'connect', 'session-expiry-interval', '-5'],
  ['-D', 'connect', 'session-expiry-interval', '99999999999999999999999'],
  ['-D', 'subscribe', 'subscription-identifier', '300000000'],
  ['-D', 'publish', 'content-type', 'a\tb'],
  ['-D', 'connect', 'session-expiry-interval', '3', '-x', '5', '-i', 'me'],
  ['-D', 'connect', 'receive-maximum', '5', '-V', '311'],
  ['--quiet', '-D', 'connect', 'receive-maximum', '0'],
  ['-P', 'secret'],
  ['-R', '--retained-only'],
  ['-q', '3', '--help'],
];

interface Case {
  tool: Tool;
  args: string[];
}

function cases(): Case[] {
  const list: Case[] = [];
  for (const tool of ['pub', 'sub', 'rr'] as Tool[]) {
    for (const option of valueOptions) list.push({ tool, args: [option] });
    for (const option of toolOnly)
      list.push({ tool, args: [...base[tool], option, '-q', '7'] });
    for (const bad of badValues) list.push({ tool, args: [...base[tool], ...bad] });
  }
  list.push({ tool: 'sub', args: [] }, { tool: 'rr', args: ['-t', 'a', '-m', 'x'] });
  list.push({ tool: 'pub', args: ['-t', 'a', '-f', '/nonexistent'] });
  return list;
}

/** What midge prints for a set its option loader refuses; undefined if accepted. */
function refusal(tool: Tool, argv: string[]): RunResult | undefined {
  const result = loadConfig(tool, argv, { HOME: emptyHome });
  if (result.kind !== 'error') return undefined;
  return { code: 1, stdout: Buffer.alloc(0), stderr: result.text + usageHint(tool) };
}

async function midge(tool: Tool, argv: string[], spawn: boolean): Promise<RunResult> {
  return (!spawn && refusal(tool, argv)) || run('midge', tool, argv);
}

function compare(list: Case[], spawn: boolean) {
  const host = () => ['-h', '127.0.0.1', '-p', `${broker.port}`];
  return inParallel(
    list.map(({ tool, args }) => async () => {
      const argv = [...host(), ...args];
      const [m, g] = await Promise.all([
        run('mosquitto', tool, argv),
        midge(tool, argv, spawn),
      ]);
      return { tool, args, m, g };
    }),
  );
}

function differences(results: Awaited<ReturnType<typeof compare>>): string[] {
  const found: string[] = [];
  for (const { tool, args, m, g } of results) {
    const same =
      g.code === m.code &&
      g.stderr === renamed(m.stderr, tool) &&
      g.stdout.equals(Buffer.from(renamed(m.stdout.toString('latin1'), tool), 'latin1'));
    if (same) continue;
    found.push(
      `${tool} ${JSON.stringify(args)}\n` +
        `  mosquitto ${m.code} ${JSON.stringify(m.stderr)}` +
        `\n  midge     ${g.code} ${JSON.stringify(g.stderr)}`,
    );
  }
  return found;
}

test('bad option sets: same stderr, stdout and exit status as Mosquitto', async () => {
  const list = cases();
  assert.ok(list.length > 300, 'the table is there');
  assert.deepEqual(differences(await compare(list, false)), []);
});

test('the tools themselves print what the loader says', async () => {
  const sample: Case[] = [
    { tool: 'pub', args: ['-q', '3'] },
    { tool: 'sub', args: ['-t', 'a', '-F', '%k'] },
    { tool: 'rr', args: ['-D', 'connect', 'foo', '1'] },
    { tool: 'sub', args: ['--bogus'] },
    { tool: 'pub', args: ['-t', 'a', '--quiet', '--proxy', 'http://x'] },
  ];
  assert.deepEqual(differences(await compare(sample, true)), []);
});
