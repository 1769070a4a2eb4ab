/**
 * midge_rr against mosquitto_rr with a responder that answers on the
 * request's Response Topic and echoes its Correlation Data; and what all
 * three tools say when the broker refuses the connection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect, type MqttClient } from '../../src/client/index.js';
import { fileBroker, type Impl, inParallel, run, type Tool } from './helpers.js';

const broker = fileBroker();
const closed = fileBroker('allow_anonymous false');
const impls: Impl[] = ['mosquitto', 'midge'];
const host = (port: number) => ['-h', '127.0.0.1', '-p', `${port}`];

async function both(tool: Tool, args: string[]) {
  return Promise.all(impls.map((impl) => run(impl, tool, args, { ms: 8000 })));
}

describe('midge_rr matches mosquitto_rr', () => {
  let responder: MqttClient | undefined;
  before(async () => {
    responder = await connect({
      host: '127.0.0.1',
      port: broker.port,
      protocolVersion: 5,
    });
    responder.on('message', (m) => {
      const to = m.properties?.responseTopic;
      const correlationData = m.properties?.correlationData;
      const answer = Buffer.concat([Buffer.from('re:'), m.payload]);
      const properties = correlationData ? { correlationData } : {};
      if (to) void responder?.publish(to, answer, { properties });
      else void responder?.publish('rr/v3/answer', answer);
    });
    await responder.subscribe('rr/+/req');
  });
  after(() => responder?.end());

  test('request, response and correlation data printed with -F', async () => {
    const args = (impl: Impl) => [
      ...host(broker.port),
      ...['-t', `rr/${impl}/req`, '-e', `rr/${impl}/resp`, '-m', 'question'],
      ...['-D', 'publish', 'correlation-data', 'id-42', '-F', '%p|%D|%q|%R|'],
    ];
    const [m, g] = await Promise.all(impls.map((impl) => run(impl, 'rr', args(impl))));
    assert.equal(m!.stdout.toString(), 're:question|id-42|0||\n');
    assert.deepEqual(
      [g!.code, g!.stdout.toString(), g!.stderr],
      [0, m!.stdout.toString(), ''],
    );
  });

  test('-v and JSON output of the response', async () => {
    for (const out of [['-v'], ['-F', '%t %l %x'], ['-N']]) {
      const args = (impl: Impl) => [
        ...host(broker.port),
        ...['-t', `rr/${impl}/req`, '-e', 'rr/resp', '-m', 'q', ...out],
      ];
      const [m, g] = await Promise.all(impls.map((impl) => run(impl, 'rr', args(impl))));
      assert.deepEqual([g!.code, g!.stdout, g!.stderr], [m!.code, m!.stdout, m!.stderr]);
    }
  });

  test('-d: the same packet trace, the request numbered after the SUBSCRIBE', async () => {
    const args = (impl: Impl) => [
      ...host(broker.port),
      ...['-i', `rr-${impl}`, '-t', `rr/${impl}/req`, '-e', `rr/${impl}/resp`],
      ...['-m', 'q', '-d'],
    ];
    const [m, g] = await Promise.all(impls.map((impl) => run(impl, 'rr', args(impl))));
    const trace = m!.stdout.toString().replaceAll('mosquitto', 'midge');
    assert.match(trace, /sending PUBLISH \(d0, q0, r0, m2, 'rr\/midge\/req'/);
    assert.equal(g!.stdout.toString(), trace);
  });

  test('-W: nobody answers, "Timed out" and status 27', async () => {
    const args = [
      ...host(broker.port),
      '-t',
      'rr/none',
      '-e',
      'rr/none/r',
      '-m',
      'x',
      '-W',
      '1',
    ];
    const [m, g] = await both('rr', args);
    assert.deepEqual([m!.code, m!.stderr], [27, 'Timed out\n']);
    assert.deepEqual([g!.code, g!.stderr], [27, 'Timed out\n']);
  });
});

describe('a refused connection: same text and status', () => {
  const sets: Record<Tool, string[]> = {
    pub: ['-t', 'a', '-m', 'x'],
    sub: ['-t', 'a'],
    rr: ['-t', 'a', '-e', 'b', '-m', 'x'],
  };
  for (const tool of ['pub', 'sub', 'rr'] as Tool[]) {
    test(`${tool}: MQTT 3.1, 3.1.1 and 5, with and without --quiet`, async () => {
      const argSets = ['31', '311', '5'].flatMap((version) =>
        [[], ['--quiet']].map((quiet) => [
          ...host(closed.port),
          ...sets[tool],
          ...['-V', version, ...quiet],
        ]),
      );
      const results = await inParallel(argSets.map((args) => () => both(tool, args)));
      results.forEach(([m, g], i) => {
        const what = argSets[i]!.join(' ');
        assert.deepEqual([g!.code, g!.stderr], [m!.code, m!.stderr], what);
      });
    });
  }
});
