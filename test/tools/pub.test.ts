/**
 * midge_pub against mosquitto_pub: for each way of giving a message, both
 * publish to their own topic while one mosquitto_sub watches both, and
 * what arrives (topic, payload, QoS, retain, MQTT 5 properties) must be
 * the same, as must the tools' output and exit status.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { freePort, startBroker } from '../helpers/broker.js';
import {
  emptyHome,
  fileBroker,
  type Impl,
  type RunOptions,
  run,
  start,
} from './helpers.js';

const broker = fileBroker();
// Announces a Maximum Packet Size of 100 bytes to MQTT 5 clients.
const small = fileBroker('max_packet_size 100');
const midgePub = new URL('../../dist/cli/midge-pub.js', import.meta.url).pathname;
const host = () => ['-h', '127.0.0.1', '-p', `${broker.port}`];
const impls: Impl[] = ['mosquitto', 'midge'];
const format = '%t|%q|%r|%l|%C|%R|%D|%E|%F|%P|%x';

let runs = 0;

/**
 * Publishes with both tools (`args` without -t) and returns, per tool, the
 * lines a subscriber printed (topic prefix removed) and the tool's result.
 */
async function publishBoth(args: string[], count: number, options: RunOptions = {}) {
  runs++;
  const id = `watch-${runs}`;
  const watch = start(
    'mosquitto',
    'sub',
    [
      ...host(),
      '-V',
      '5',
      '-q',
      '2',
      '-i',
      id,
      '-t',
      `pub/${runs}/#`,
      '-C',
      `${count * 2}`,
      '-F',
      format,
    ],
    { ms: 10_000 },
  );
  await broker.waitForLog(new RegExp(`Sending SUBACK to ${id}`));
  const results = [];
  for (const impl of impls) {
    const topic = `pub/${runs}/${impl}`;
    results.push(await run(impl, 'pub', [...host(), '-t', topic, ...args], options));
  }
  const seen = (await watch.done).stdout.toString('latin1').split('\n');
  const lines = (impl: Impl) =>
    seen
      .filter((l) => l.startsWith(`pub/${runs}/${impl}|`))
      .map((l) => l.split('|').slice(1));
  return { mosquitto: results[0]!, midge: results[1]!, lines };
}

async function same(args: string[], count: number, options: RunOptions = {}) {
  const r = await publishBoth(args, count, options);
  assert.equal(r.midge.code, r.mosquitto.code, r.midge.stderr);
  assert.equal(r.midge.stderr, r.mosquitto.stderr);
  assert.deepEqual(r.lines('midge'), r.lines('mosquitto'));
  assert.equal(r.lines('midge').length, count, 'every message arrived');
}

describe('midge_pub publishes what mosquitto_pub publishes', () => {
  test('-m with QoS 0, 1 and 2', async () => {
    await same(['-m', 'hello'], 1);
    await same(['-m', 'hello', '-q', '1'], 1);
    await same(['-m', 'hello', '-q', '2'], 1);
  });

  test('-n, -r (retained), --repeat', async () => {
    await same(['-n'], 1);
    await same(['-m', 'kept', '-r', '-q', '1'], 1);
    await same(['-m', 'again', '--repeat', '3', '--repeat-delay', '0.05'], 3);
  });

  test('-f a binary file, -s stdin', async () => {
    const file = join(emptyHome, 'payload.bin');
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
    writeFileSync(file, bytes);
    await same(['-f', file], 1);
    await same(['-s'], 1, { stdin: bytes });
  });

  test('-l: a message per line, \\r kept, last line without \\n', async () => {
    await same(['-l'], 5, { stdin: 'one\n\ntwo\r\nthree\nlast' });
    await same(['-l', '-q', '1'], 3, { stdin: 'a\nb\nc\n' });
  });

  test('-D publish properties (MQTT 5) and a will', async () => {
    const props = [
      ...['-D', 'publish', 'content-type', 'text/x'],
      ...['-D', 'publish', 'response-topic', 'r/t'],
      ...['-D', 'publish', 'correlation-data', 'abc'],
      ...['-D', 'publish', 'payload-format-indicator', '1'],
      ...['-D', 'publish', 'message-expiry-interval', '100'],
      ...['-D', 'publish', 'user-property', 'k', 'v'],
      ...['-D', 'publish', 'user-property', 'k', 'w'],
    ];
    await same(['-m', 'p', ...props], 1);
    await same(
      ['-m', 'w', '--will-topic', 'will/t', '--will-payload', 'bye', '-V', '5'],
      1,
    );
  });

  test('-D publish topic-alias: later publishes reuse the alias', async () => {
    await same(['-m', 'a', '--repeat', '2', '-D', 'publish', 'topic-alias', '1'], 2);
  });
});

describe('midge_pub with large inputs', () => {
  test('-l keeps up: 20000 lines from a fast producer all arrive, in order', async () => {
    const count = 20_000;
    const input = `${Array.from({ length: count }, (_, i) => `line ${i}`).join('\n')}\n`;
    const id = 'watch-lines';
    const watch = start(
      'mosquitto',
      'sub',
      [...host(), '-i', id, '-t', 'pub/lines', '-C', `${count}`],
      {
        ms: 20_000,
      },
    );
    await broker.waitForLog(/Sending SUBACK to watch-lines/);
    const sent = await run('midge', 'pub', [...host(), '-t', 'pub/lines', '-l'], {
      stdin: input,
      ms: 20_000,
    });
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal((await watch.done).stdout.toString(), input);
  });

  test('-f of 40 MB needs about twice its size in memory, not many times', async (t) => {
    const time = ['/usr/bin/time'].find((p) => existsSync(p));
    if (!time) return t.skip('no /usr/bin/time to measure the peak');
    const file = join(emptyHome, 'big.bin');
    const size = 40 * 1024 * 1024;
    writeFileSync(file, Buffer.alloc(size, 7));
    const peak = await new Promise<number>((resolve, reject) => {
      const child = spawn(time, [
        '-f',
        '%M',
        process.execPath,
        midgePub,
        ...host(),
        '-t',
        'pub/big',
        '-f',
        file,
      ]);
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      child.on('close', (code) => {
        if (code !== 0) reject(new Error(err));
        else resolve(Number(err.trim().split('\n').pop()) * 1024);
      });
    });
    rmSync(file);
    // Node itself takes some 50 MB; the client library copies the payload once.
    assert.ok(
      peak < 3 * size + 80 * 1024 * 1024,
      `peak ${peak} bytes for a ${size}-byte file`,
    );
  });
});

describe('midge_pub -d', () => {
  test('the same packet trace for QoS 1 and 2', async () => {
    for (const qos of ['1', '2']) {
      const args = [
        ...host(),
        '-i',
        `trace-${qos}`,
        '-t',
        'pub/trace',
        '-m',
        'x',
        '-q',
        qos,
        '-d',
      ];
      const [m, g] = await Promise.all(impls.map((impl) => run(impl, 'pub', args)));
      assert.equal(g!.stdout.toString(), m!.stdout.toString());
      assert.match(
        g!.stdout.toString(),
        /sending PUBLISH \(d0, q\d, r0, m1, 'pub\/trace'/,
      );
    }
  });
  test('QoS 0 messages numbered as mosquitto_pub numbers them', async () => {
    const args = [...host(), '-i', 'trace-0', '-t', 'pub/trace0', '-l', '-d'];
    const stdin = 'a\nb\nc\n';
    const [m, g] = await Promise.all(
      impls.map((impl) => run(impl, 'pub', args, { stdin })),
    );
    assert.equal(g!.stdout.toString(), m!.stdout.toString());
    assert.match(g!.stdout.toString(), /q0, r0, m3, 'pub\/trace0'/);
  });
});

describe('midge_pub failures match mosquitto_pub', () => {
  test('nothing listening: message and status', async () => {
    const args = ['-h', '127.0.0.1', '-p', `${await freePort()}`, '-t', 'x', '-m', 'y'];
    for (const quiet of [[], ['--quiet']]) {
      const [m, g] = await Promise.all(
        impls.map((i) => run(i, 'pub', [...args, ...quiet])),
      );
      assert.deepEqual([g!.code, g!.stderr], [m!.code, m!.stderr]);
    }
  });

  test('the broker goes away during --repeat: message and status 7', async (t) => {
    const lost = await startBroker({ kind: 'mosquitto', config: 'log_type all' });
    t.after(() => lost.stop('SIGKILL'));
    const args = (impl: Impl) => [
      ...['-h', '127.0.0.1', '-p', `${lost.port}`, '-t', 'x', '-m', 'y', '-q', '1'],
      ...['-i', `lost-${impl}`, '--repeat', '100', '--repeat-delay', '0.1'],
    ];
    const tools = impls.map((impl) => start(impl, 'pub', args(impl), { ms: 8000 }));
    for (const impl of impls) {
      await lost.waitForOutput(new RegExp(`Sending PUBACK to lost-${impl}`));
    }
    await lost.stop('SIGKILL');
    const [m, g] = await Promise.all(tools.map((t) => t.done));
    assert.deepEqual([m!.code, m!.stderr], [7, 'Error: The connection was lost.\n']);
    assert.deepEqual([g!.code, g!.stderr], [m!.code, m!.stderr]);
  });

  test('-l: a line over the Maximum Packet Size stops it, status 25', async () => {
    const args = ['-h', '127.0.0.1', '-p', `${small.port}`, '-t', 'big', '-l'];
    const stdin = `a\n${'x'.repeat(200)}\nb\n`;
    const [m, g] = await Promise.all(
      impls.map((i) => run(i, 'pub', [...args, '-V', '5', '-q', '1'], { stdin })),
    );
    const error = 'Error: Packet larger than supported by the server.\n';
    assert.deepEqual([m!.code, m!.stderr], [25, error]);
    assert.deepEqual([g!.code, g!.stderr], [m!.code, m!.stderr]);
  });

  test('-l QoS 0: an oversize last line with no newline passes silently', async () => {
    const args = ['-h', '127.0.0.1', '-p', `${small.port}`, '-t', 'big', '-l'];
    const stdin = `a\n${'x'.repeat(200)}`;
    const [m, g] = await Promise.all(
      impls.map((i) => run(i, 'pub', [...args, '-V', '5'], { stdin })),
    );
    assert.deepEqual([m!.code, m!.stderr], [0, '']);
    assert.deepEqual([g!.code, g!.stderr], [m!.code, m!.stderr]);
  });

  test('empty stdin with -s, missing topic or message', async () => {
    const sets = [
      ['-t', 'x', '-s'],
      ['-t', 'x'],
      ['-m', 'y'],
    ];
    for (const args of sets) {
      const [m, g] = await Promise.all(
        impls.map((i) => run(i, 'pub', [...host(), ...args])),
      );
      assert.deepEqual([g!.code, g!.stderr], [m!.code, m!.stderr], args.join(' '));
    }
  });
});
