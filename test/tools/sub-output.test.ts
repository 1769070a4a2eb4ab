/**
 * midge_sub and Debian's mosquitto_sub side by side on one message stream:
 * for each output option set below, both subscribe, the stream is
 * published once, and their stdout, stderr and exit status must be equal
 * byte for byte.
 *
 * Time fields (%I, %U, @ codes, the JSON "tst") differ between two
 * processes; where a format prints them, every digit is masked on both
 * sides before comparing (the shape, names and punctuation still count),
 * and midge's own %U must be within 10 s of the test's clock.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { emptyHome, fileBroker, type Impl, run, start } from './helpers.js';

const broker = fileBroker();

interface Case {
  name: string;
  args: string[];
  /** Mask digits (time fields) before comparing. */
  timed?: boolean;
  /** Messages printed (-C); filtered messages do not count. */
  count?: number;
}

const v5Cases: Case[] = [
  { name: 'payload only', args: [] },
  { name: '-v', args: ['-v'] },
  { name: '-N', args: ['-N'] },
  { name: '-v -N', args: ['-v', '-N'] },
  { name: '-F overrides -v', args: ['-v', '-F', '%t'] },
  { name: 'empty format', args: ['-F', ''] },
  { name: 'fields', args: ['-F', '%t %p [%q %r %m %l]'] },
  { name: 'topic width', args: ['-F', '|%10t|%-10t|%.3t|%10.3t|%-10.3t|%.0t|%0t|'] },
  { name: 'payload width', args: ['-F', '|%p|%5p|%-5p|%05p|%.2p|%-05p|%30p|'] },
  { name: 'hex', args: ['-F', '|%x|%X|%4x|%-7X|%010x|%1x|%40X|'] },
  { name: 'numbers', args: ['-F', '|%5l|%-5l|%05l|%3m|%-3m|%03m|%5q|%3r|'] },
  { name: 'string props', args: ['-F', '|%C|%8C|%-8C|%.2C|%R|%8R|%-8R|%.1R|%D|'] },
  {
    name: 'number props',
    args: ['-F', '|%E|%6E|%-6E|%06E|%F|%3F|%03F|%P|%A|%3A|%03A|%S|%4S|%-4S|%04S|'],
  },
  { name: 'escapes', args: ['-F', '%%|@@|\\t|\\n|\\\\|\\e|\\a|\\v|\\r|\\0|end'] },
  { name: '%j', args: ['-F', '%j'], timed: true },
  { name: '%J', args: ['-F', '%J'], timed: true },
  { name: '%j --pretty', args: ['-F', '%j', '--pretty'], timed: true },
  { name: '%J --pretty -N', args: ['-F', '%J', '--pretty', '-N'], timed: true },
  { name: '%j in text', args: ['-F', '<%j> %t', '-N'], timed: true },
  {
    name: 'time codes',
    args: ['-F', '%I|%U|%20I|%-30I|%.4I|@Y-@m-@dT@H:@M:@S@z @N @s @j @%|@@'],
    timed: true,
  },
  {
    name: 'strftime letters',
    args: [
      '-F',
      '@a @A @b @B @C @d @D @e @F @g @G @h @I @k @l @p @P @R @T @u @V @w @W @x ' +
        '@X @y @Z @Q',
    ],
    timed: true,
  },
  { name: '-T filter', args: ['-T', 'out/+/ret', '-T', 'out/+/j/#', '-v'], count: 5 },
  { name: '-R', args: ['-R', '-v'], count: 8 },
];

const v3Cases: Case[] = [
  { name: 'v3 fields', args: ['-F', '%t|%p|%q|%r|%m|%l|%C|%5E|%P|%A|%S|'] },
  { name: 'v3 %j', args: ['-F', '%j'], timed: true },
  { name: 'v3 -v', args: ['-v'] },
];

/** Digits of time fields vary between processes; the rest must match. */
function masked(out: Buffer, timed: boolean | undefined): string {
  const text = out.toString('latin1');
  return timed ? text.replace(/[0-9]/g, '#') : text;
}

/** Publishes the stream with mosquitto_pub; returns how many messages it sent. */
async function publishStream(root: string, dir: string): Promise<number> {
  const binary = join(dir, 'binary');
  writeFileSync(binary, Buffer.from([0, 1, 0x22, 0x5c, 0x7f, 0xff, 0x0a, 0x09, 0x78]));
  const props = [
    ...['-D', 'publish', 'content-type', 'text/plain'],
    ...['-D', 'publish', 'response-topic', 'resp/t'],
    ...['-D', 'publish', 'correlation-data', 'cd1'],
    ...['-D', 'publish', 'user-property', 'k', 'v'],
    ...['-D', 'publish', 'user-property', 'k2', 'v2'],
    ...['-D', 'publish', 'payload-format-indicator', '1'],
    ...['-D', 'publish', 'message-expiry-interval', '3600'],
  ];
  const json = '{"a":[1,2.5e3,true,null,"x\\u00e9\\/"],"b":{},"n":-0.0,"s":"\\u0001"}';
  const messages: string[][] = [
    ['-t', `${root}/1`, '-m', 'hello world', '-q', '1'],
    ['-t', `${root}/2`, '-f', binary],
    ['-t', `${root}/3`, '-n'],
    ['-t', `${root}/5`, '-m', 'é€😀', '-V', '5', ...props],
    ['-t', `${root}/j/6`, '-m', ' [1, 2 ] '],
    ['-t', `${root}/j/7`, '-m', '"str"', '-q', '1'],
    ['-t', `${root}/ü/ñ`, '-m', 'x'.repeat(300)],
    // QoS 2 last: libmosquitto prints it at PUBREL, whose timing against
    // the next message varies from run to run.
    ['-t', `${root}/j/4`, '-m', json, '-q', '2'],
  ];
  for (const args of messages) {
    const result = await run('mosquitto', 'pub', [
      '-h',
      '127.0.0.1',
      '-p',
      `${broker.port}`,
      ...args,
    ]);
    assert.equal(result.code, 0, result.stderr);
  }
  return messages.length;
}

let runs = 0;

async function compare(cases: Case[], version: string): Promise<void> {
  runs++;
  const root = `out/${runs}`;
  const base = ['-h', '127.0.0.1', '-p', `${broker.port}`, '-V', version];
  const retained = ['-t', `${root}/ret`, '-m', 'kept', '-r', '-q', '1'];
  await run('mosquitto', 'pub', [...base.slice(0, 4), ...retained]);
  const subs = cases.flatMap((c, i) =>
    (['mosquitto', 'midge'] as Impl[]).map((impl) => {
      const id = `cmp-${runs}-${i}-${impl}`;
      const count = `${c.count ?? 9}`;
      const args = [
        ...base,
        '-q',
        '2',
        '-i',
        id,
        '-t',
        `${root}/#`,
        '-C',
        count,
        ...c.args,
      ];
      return { c, impl, sub: start(impl, 'sub', args, { ms: 10_000 }), id };
    }),
  );
  for (const { id } of subs)
    await broker.waitForLog(new RegExp(`Sending SUBACK to ${id}`));
  await publishStream(root, emptyHome);
  const before = Date.now() / 1000;
  for (let i = 0; i < subs.length; i += 2) {
    const [mosq, midge] = [subs[i]!, subs[i + 1]!];
    const [m, g] = await Promise.all([mosq.sub.done, midge.sub.done]);
    const name = mosq.c.name;
    assert.equal(g.code, m.code, `${name}: exit status (stderr ${g.stderr})`);
    assert.equal(g.stderr, m.stderr, `${name}: stderr`);
    assert.equal(masked(g.stdout, mosq.c.timed), masked(m.stdout, mosq.c.timed), name);
    if (mosq.c.name === 'time codes') checkClock(g.stdout, before);
  }
}

/** midge's %U is the current time: within 10 s of the test's clock. */
function checkClock(out: Buffer, around: number): void {
  const unix = /\|(\d+\.\d{9})\|/.exec(out.toString());
  assert.ok(unix, `no %U in ${out}`);
  assert.ok(Math.abs(Number(unix[1]) - around) < 10, `%U ${unix[1]} vs ${around}`);
}

describe('midge_sub output matches mosquitto_sub', () => {
  test('MQTT 5 stream: -F codes, flags, width, precision, -v, -N, JSON', async () => {
    await compare(v5Cases.slice(0, 11), '5');
    await compare(v5Cases.slice(11), '5');
  });

  test('MQTT 3.1.1 stream: no properties', async () => {
    await compare(v3Cases, '311');
  });
});
