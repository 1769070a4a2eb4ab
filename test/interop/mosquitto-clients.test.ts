/**
 * Debian's mosquitto_pub and mosquitto_sub (2.0.11) against the test broker:
 * the command-line tools people already script against Mosquitto must work
 * unchanged. Every run gets `-h 127.0.0.1 -p PORT` of the broker started
 * here, a time limit, and its own topics and client ids.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, type TestContext, test } from 'node:test';
import { type RunningBroker, startBroker } from '../helpers/broker.js';
import { pub, sub } from './mosquitto-tools.js';

const run = randomBytes(3).toString('hex');
const installed = spawnSync('mosquitto_sub', ['--help']).error === undefined;
const skip = installed ? false : 'mosquitto_pub/mosquitto_sub not installed';
let broker: RunningBroker | undefined;

after(async () => {
  await broker?.stop();
});
before(async () => {
  if (installed) broker = await startBroker();
});

function names(t: TestContext) {
  const base = `${run}-${t.name.replace(/[^a-z0-9]+/gi, '-')}`.slice(0, 50);
  return { topic: `cli/${base}`, id: (who: string) => `${base}-${who}` };
}

const port = () => broker!.port;

describe('mosquitto_pub and mosquitto_sub', { skip }, () => {
  for (const version of ['311', '5']) {
    test(`QoS 0, 1 and 2 at -V ${version}`, async (t) => {
      const { topic } = names(t);
      const listener = await sub(t, port(), [
        ...['-V', version, '-q', '2', '-t', `${topic}/#`],
        ...['-C', '3', '-W', '5', '-F', '%t %q %p'],
      ]);
      const flows = ['', 'PUBACK', 'PUBREC.*PUBCOMP'];
      for (const qos of [0, 1, 2]) {
        const args = ['-V', version, '-q', String(qos), '-t', `${topic}/q${qos}`];
        const sent = await pub(t, port(), [...args, '-m', `qos ${qos}`, '-d']);
        assert.equal(sent.code, 0, sent.stderr);
        // The QoS handshake the publisher saw, from its -d output.
        assert.match(sent.stdout.replace(/\n/g, ' '), new RegExp(flows[qos]));
      }
      const got = await listener.done;
      assert.equal(got.code, 0, got.stderr);
      assert.deepEqual(listener.messages().sort(), [
        `${topic}/q0 0 qos 0`,
        `${topic}/q1 1 qos 1`,
        `${topic}/q2 2 qos 2`,
      ]);
    });
  }

  test('-r retains a message; -r -n clears it', async (t) => {
    const { topic } = names(t);
    const kept = await pub(t, port(), ['-t', topic, '-m', 'kept', '-r', '-q', '1']);
    assert.equal(kept.code, 0, kept.stderr);
    const late = await sub(t, port(), ['-t', topic, '-C', '1', '-W', '3', '-F', '%r %p']);
    await late.done;
    assert.deepEqual(late.messages(), ['1 kept']);

    const cleared = await pub(t, port(), ['-t', topic, '-n', '-r', '-q', '1']);
    assert.equal(cleared.code, 0, cleared.stderr);
    const later = await sub(t, port(), ['-t', topic, '-C', '1', '-W', '1', '-v']);
    const result = await later.done;
    // -W: nothing came, so mosquitto_sub times out (exit 27).
    assert.deepEqual(later.messages(), []);
    assert.equal(result.code, 27, result.stderr);
    assert.match(result.stderr, /Timed out/);
  });

  test('--will-* options: the will of a killed client', async (t) => {
    const { topic } = names(t);
    const watcher = await sub(t, port(), [
      '-t',
      `${topic}/#`,
      '-q',
      '1',
      '-F',
      '%t %q %r %p',
    ]);
    const willArgs = (name: string) => [
      ...['-t', `${topic}/idle/${name}`, '--will-topic', `${topic}/will/${name}`],
      ...['--will-payload', `${name} gone`, '--will-qos', '1', '--will-retain'],
    ];
    // -E: subscribes, then disconnects cleanly (DISCONNECT), so no will.
    const polite = await sub(t, port(), [...willArgs('polite'), '-E']);
    assert.equal((await polite.done).code, 0, polite.stderr);
    const killed = await sub(t, port(), willArgs('killed'));
    killed.signal('SIGKILL');
    await killed.done;
    await watcher.waitFor(/killed gone/);
    await new Promise((r) => setTimeout(r, 300));
    // Live delivery of a will published with retain: retain flag 0 [MQTT-3.3.1-9]
    // in 3.1.1 (subscription existed before), QoS as --will-qos.
    assert.deepEqual(watcher.messages(), [`${topic}/will/killed 1 0 killed gone`]);
    // --will-retain: a later subscriber gets it as a retained message.
    const late = await sub(t, port(), [
      '-t',
      `${topic}/will/#`,
      '-C',
      '1',
      '-W',
      '3',
      '-F',
      '%r %p',
    ]);
    await late.done;
    assert.deepEqual(late.messages(), ['1 killed gone']);
    await pub(t, port(), ['-t', `${topic}/will/killed`, '-r', '-n']);
  });

  for (const version of ['311', '5']) {
    test(`-c -i resumes a persistent session at -V ${version}`, async (t) => {
      const { topic, id } = names(t);
      const session = ['-V', version, '-c', '-i', id('sub'), '-q', '1', '-t', topic];
      const first = await sub(t, port(), [...session, '-E']);
      assert.equal((await first.done).code, 0, first.stderr);
      for (const n of [1, 2, 3]) {
        const sent = await pub(t, port(), ['-t', topic, '-q', '1', '-m', `queued ${n}`]);
        assert.equal(sent.code, 0, sent.stderr);
      }
      const resume = [...session, '-C', '3', '-W', '5', '-F', '%q %p'];
      const back = await sub(t, port(), resume, { ready: false });
      const result = await back.done;
      assert.equal(result.code, 0, result.stderr);
      // Queued while away, delivered in order on return [MQTT-4.6.0-6].
      assert.deepEqual(back.messages(), ['1 queued 1', '1 queued 2', '1 queued 3']);
    });
  }

  test('-V 5 -D publish properties, shown by -F and %j', async (t) => {
    const { topic } = names(t);
    const format = '%P|%E|%C|%R|%D|%F|%p';
    const text = await sub(t, port(), [
      '-V',
      '5',
      '-t',
      topic,
      '-C',
      '1',
      '-W',
      '5',
      '-F',
      format,
    ]);
    const json = await sub(t, port(), [
      '-V',
      '5',
      '-t',
      topic,
      '-C',
      '1',
      '-W',
      '5',
      '-F',
      '%j',
    ]);
    const sent = await pub(t, port(), [
      ...['-V', '5', '-t', topic, '-m', 'hello', '-q', '1'],
      ...['-D', 'publish', 'user-property', 'a', 'b'],
      ...['-D', 'publish', 'message-expiry-interval', '120'],
      ...['-D', 'publish', 'content-type', 'text/plain'],
      ...['-D', 'publish', 'response-topic', `${topic}/reply`],
      ...['-D', 'publish', 'correlation-data', 'c-42'],
      ...['-D', 'publish', 'payload-format-indicator', '1'],
    ]);
    assert.equal(sent.code, 0, sent.stderr);
    await Promise.all([text.done, json.done]);
    const [line] = text.messages();
    const [props, expiry, ...rest] = line.split('|');
    assert.equal(props, 'a:b', 'user property');
    // Remaining expiry, counted down by the broker [MQTT-3.3.2-6].
    assert.ok(Number(expiry) >= 118 && Number(expiry) <= 120, `expiry ${expiry}`);
    assert.deepEqual(rest, ['text/plain', `${topic}/reply`, 'c-42', '1', 'hello']);
    const parsed = JSON.parse(json.messages()[0]);
    assert.equal(parsed.topic, topic);
    assert.equal(parsed.payload, 'hello');
    assert.deepEqual(parsed.properties['user-properties'], { a: 'b' });
    assert.equal(parsed.properties['content-type'], 'text/plain');
    assert.equal(parsed.properties['correlation-data'], 'c-42');
  });

  test('-D connect topic-alias-maximum: a topic sent again still arrives', async (t) => {
    // The 2.0 client library cannot read an alias the broker sends; with
    // max_topic_alias_broker at its default of 0, it is never sent one.
    const { topic } = names(t);
    const listener = await sub(t, port(), [
      ...['-V', '5', '-D', 'connect', 'topic-alias-maximum', '10'],
      ...['-t', topic, '-C', '3', '-W', '5', '-F', '%t %p'],
    ]);
    for (const n of [1, 2, 3]) {
      const sent = await pub(t, port(), ['-V', '5', '-t', topic, '-m', `m${n}`]);
      assert.equal(sent.code, 0, sent.stderr);
    }
    const got = await listener.done;
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual(listener.messages(), [`${topic} m1`, `${topic} m2`, `${topic} m3`]);
  });

  test('-C stops after that many messages, empty ones included', async (t) => {
    const { topic } = names(t);
    const three = await sub(t, port(), [
      '-t',
      topic,
      '-q',
      '1',
      '-C',
      '3',
      '-W',
      '5',
      '-v',
    ]);
    const empty = await pub(t, port(), ['-t', topic, '-q', '1', '-n']);
    assert.equal(empty.code, 0, empty.stderr);
    const lines = await pub(
      t,
      port(),
      ['-t', topic, '-q', '1', '-l'],
      'one\ntwo\nthree\n',
    );
    assert.equal(lines.code, 0, lines.stderr);
    const result = await three.done;
    assert.equal(result.code, 0, result.stderr);
    // -v prints an empty payload as "(null)"; it counts towards -C.
    assert.deepEqual(three.messages(), [
      `${topic} (null)`,
      `${topic} one`,
      `${topic} two`,
    ]);
  });

  test('$share/g/t spreads messages over two subscribers', async (t) => {
    const { topic } = names(t);
    const members = [
      await sub(t, port(), ['-t', `$share/g/${topic}`, '-q', '1']),
      await sub(t, port(), ['-t', `$share/g/${topic}`, '-q', '1']),
    ];
    const payloads = Array.from({ length: 10 }, (_, i) => `m${i}`);
    const sent = await pub(
      t,
      port(),
      ['-t', topic, '-q', '1', '-l'],
      `${payloads.join('\n')}\n`,
    );
    assert.equal(sent.code, 0, sent.stderr);
    const total = () => members.reduce((n, m) => n + m.messages().length, 0);
    for (let waited = 0; total() < 10 && waited < 3000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 200));
    const [a, b] = members.map((m) => m.messages());
    assert.deepEqual([...a, ...b].sort(), payloads.sort(), 'each message exactly once');
    assert.ok(a.length > 0 && b.length > 0, `not spread: ${a.length} + ${b.length}`);
  });
});
