/**
 * bench - floor: the Node floor relay (`--brokers ...,floor`) carries the
 * bench's flows between real clients, holds subscribers to the same
 * in-flight window as the brokers it is set against, and shows in the
 * targets table whether the floor itself meets each target. Also the
 * latency scenarios' own warm-up, run here on the floor for speed.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Results, ScenarioResult } from '../../src/bench/report/results.js';
import {
  anomalies,
  cpuPerMessage,
  header,
  missedScenarios,
} from '../../src/bench/report/table.js';
import { checkTargets } from '../../src/bench/report/targets.js';
import { freePort } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';
import { open } from '../interop/mqttjs-support.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const relay = join(root, 'dist/bench/brokers/floor-relay.js');

describe('bench - floor relay', () => {
  let port = 0;
  let child: ChildProcess;

  before(async () => {
    port = await freePort();
    child = spawn(process.execPath, [relay, String(port)], { stdio: 'pipe' });
    await new Promise<void>((resolve, reject) => {
      child.stdout?.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`relay exited: ${code}`)));
    });
  });
  after(() => {
    child.kill();
  });

  for (const version of [4, 5] as const) {
    it(`carries QoS 0, 1 and 2, large and small, at protocol level ${version}`, async (t) => {
      const topic = `floor/v${version}`;
      const exact = await open(t, port, { protocolVersion: version });
      const wild = await open(t, port, { protocolVersion: version });
      await exact.client.subscribeAsync(topic, { qos: 2 });
      await wild.client.subscribeAsync('floor/+', { qos: 2 });
      const pub = await open(t, port, { protocolVersion: version });
      // 100 KB spans reads of the socket, so the relay assembles it.
      const big = 'x'.repeat(100_000);
      const sent = [
        { payload: 'q0', qos: 0 },
        { payload: 'q1', qos: 1 },
        { payload: 'q2', qos: 2 },
        { payload: big, qos: 1 },
        { payload: `${big}!`, qos: 2 },
      ] as const;
      for (const m of sent)
        await pub.client.publishAsync(topic, m.payload, { qos: m.qos });
      // MQTT.js hands a QoS 2 message over at PUBREL, so the order across
      // QoS levels is the client's; the set must be whole and intact.
      const key = (m: { payload: string; qos: number }) => `${m.qos}:${m.payload}`;
      for (const inbox of [exact.inbox, wild.inbox]) {
        const got = await inbox.take(sent.length);
        assert.ok(got.every((m) => m.topic === topic));
        assert.deepEqual(got.map(key).sort(), sent.map(key).sort());
      }
    });
  }

  it('sends a QoS 2 message on at its PUBREL, once however often it came', async (t) => {
    const sub = await RawClient.session(t, port, { clientId: 'q2-sub' });
    await sub.subscribe([{ topic: 'floor/q2', qos: 2 }]);
    const pub = await RawClient.session(t, port, { clientId: 'q2-pub' });
    const publish = { cmd: 'publish', topic: 'floor/q2', qos: 2, messageId: 7 } as const;
    pub.send({ ...publish, payload: Buffer.from('held') });
    assert.equal((await pub.expect('pubrec')).messageId, 7);
    pub.send({ ...publish, dup: true, payload: Buffer.from('held') });
    assert.equal((await pub.expect('pubrec')).messageId, 7);
    await sub.expectNothing(300);
    pub.send({ cmd: 'pubrel', messageId: 7 });
    assert.equal((await pub.expect('pubcomp')).messageId, 7);
    const got = await sub.expect('publish');
    assert.equal(got.payload.toString(), 'held');
    assert.equal(got.qos, 2);
    // A PUBREL again gets its PUBCOMP and sends nothing on.
    pub.send({ cmd: 'pubrel', messageId: 7 });
    assert.equal((await pub.expect('pubcomp')).messageId, 7);
    await sub.expectNothing(300);
    // The id is free again: a new message under it is held and sent anew.
    pub.send({ ...publish, payload: Buffer.from('again') });
    await pub.expect('pubrec');
    pub.send({ cmd: 'pubrel', messageId: 7 });
    await pub.expect('pubcomp');
    assert.equal((await sub.expect('publish')).payload.toString(), 'again');
    await sub.expectNothing(300);
  });

  it('keeps at most 20 QoS 1 messages unacknowledged per subscriber', async (t) => {
    const sub = await RawClient.session(t, port, { clientId: 'slow' });
    await sub.subscribe([{ topic: 'floor/w', qos: 1 }]);
    const pub = await open(t, port, { protocolVersion: 4 });
    for (let i = 0; i < 25; i++) pub.client.publish('floor/w', String(i), { qos: 1 });
    const ids = new Set<number>();
    for (let i = 0; i < 20; i++) ids.add((await sub.expect('publish')).messageId ?? 0);
    assert.equal(ids.size, 20, 'each in flight under an id of its own');
    await sub.expectNothing(300);
    sub.send({ cmd: 'puback', messageId: [...ids][0] as number });
    const next = await sub.expect('publish');
    assert.equal(next.payload.toString(), '20');
    await sub.expectNothing(300);
  });
});

/** A run of one scenario with a figure per broker, as results.json holds it. */
function run(figures: Record<string, number>): Results {
  const scenario: ScenarioResult = {
    id: '1to1-q1-64KB',
    title: '1->1, QoS 1, 64KB payload',
    kind: 'throughput',
    figures: [{ metric: 'delivered', unit: 'msg/s', better: 'higher' }],
    runs: Object.entries(figures).map(([broker, value]) => ({
      broker: broker as 'midge',
      outcome: {
        figures: [{ metric: 'delivered', unit: 'msg/s', better: 'higher', value }],
        errors: [],
      },
    })),
  };
  return { scenarios: [scenario] } as unknown as Results;
}

describe('bench - floor in the targets', () => {
  it('says when the floor itself misses a target, and not when it meets it', () => {
    const checks = checkTargets(run({ midge: 25, mosquitto: 18, aedes: 10, floor: 27 }));
    const vsMosquitto = checks.find((c) => c.target === '>= 1.5x Mosquitto');
    assert.match(vsMosquitto?.detail ?? '', /floor\/mosquitto = 1\.50$/);
    const twice = checks.find((c) => c.target.startsWith('1->1'));
    assert.equal(twice?.status, 'missed');
    assert.match(
      twice?.detail ?? '',
      /floor\/mosquitto = 1\.50 \(the floor misses it too\)/,
    );
  });

  it('says the floor misses a target midge met without "too"', () => {
    // midge/mosquitto 1.67 meets 1.5x; floor/mosquitto 1.39 does not.
    const checks = checkTargets(run({ midge: 30, mosquitto: 18, aedes: 10, floor: 25 }));
    const check = checks.find((c) => c.target === '>= 1.5x Mosquitto');
    assert.equal(check?.status, 'met');
    assert.match(
      check?.detail ?? '',
      /floor\/mosquitto = 1\.39 \(the floor misses it, midge does not\)$/,
    );
  });

  it("carries the floor run's own doubt", () => {
    const results = run({ midge: 25, mosquitto: 18, aedes: 10, floor: 20 });
    const floorRun = results.scenarios[0]?.runs.find((r) => r.broker === 'floor');
    if (floorRun?.outcome)
      floorRun.outcome.load = { others: 0.9, othersOnBrokerCore: 0.5 };
    const check = checkTargets(results).find((c) => c.target === '>= 1.5x Mosquitto');
    assert.match(
      check?.detail ?? '',
      /floor\/mosquitto = 1\.11 \(the floor misses it too; unsure: floor run shared its core\)$/,
    );
  });

  it('doubts a busy generator only when the broker was not at its limit', () => {
    const results = run({ midge: 30, mosquitto: 18, aedes: 10 });
    const mosquitto = results.scenarios[0]?.runs.find((r) => r.broker === 'mosquitto');
    const detail = () =>
      checkTargets(results).find((c) => c.target === '>= 1.5x Mosquitto')?.detail ?? '';
    const o = mosquitto?.outcome;
    assert.ok(o);
    o.generatorBusy = 0.97;
    o.brokerPinned = true;
    o.brokerCpu = 0.6;
    assert.match(detail(), /unsure: mosquitto run generator-bound/);
    assert.match(anomalies(results).join('\n'), /on mosquitto: generator 97% busy/);
    o.brokerCpu = 0.95;
    assert.doesNotMatch(detail(), /unsure/);
    assert.doesNotMatch(anomalies(results).join('\n'), /generator/);
    // Unpinned, a process's CPU says nothing about its main thread; unknown
    // (NaN live, null once written to results.json) proves nothing either.
    o.brokerPinned = undefined;
    assert.match(detail(), /unsure: mosquitto run generator-bound/);
    o.brokerPinned = true;
    for (const unknown of [Number.NaN, null, undefined]) {
      o.brokerCpu = unknown as unknown as number;
      assert.match(detail(), /unsure: mosquitto run generator-bound/, String(unknown));
    }
  });

  it("gives each broker's CPU per message, user and kernel, where a target was missed", () => {
    const results = run({ midge: 20_000, mosquitto: 20_000, aedes: 12_000 });
    for (const r of results.scenarios[0]?.runs ?? []) {
      if (r.outcome) {
        r.outcome.brokerCpu = 1;
        r.outcome.brokerSystemCpu = r.broker === 'midge' ? 0.7 : 0.9;
      }
    }
    const missed = missedScenarios(checkTargets(results));
    assert.deepEqual([...missed], ['1to1-q1-64KB']);
    assert.deepEqual(cpuPerMessage(results, missed), [
      '1to1-q1-64KB on midge: 15.0 µs user + 35.0 µs system per message (100% of a core)',
      '1to1-q1-64KB on mosquitto: 5.0 µs user + 45.0 µs system per message (100% of a core)',
      '1to1-q1-64KB on aedes: 8.3 µs user + 75.0 µs system per message (100% of a core)',
    ]);
    assert.deepEqual(cpuPerMessage(results, new Set()), []);
    // A smoke run's window is too short for CPU counted in clock ticks.
    const short = { ...results, settings: { duration: 0.15 } } as unknown as Results;
    assert.deepEqual(cpuPerMessage(short, missed), []);
  });

  it('divides only by the brokers the run asked for', () => {
    const brokers = (names: string[]) =>
      ({ brokers: names.map((name) => ({ name })) }) as unknown as Results;
    assert.deepEqual(header(brokers(['midge', 'mosquitto'])), [
      'scenario',
      'figure',
      'midge',
      'mosquitto',
      'midge/mosq',
    ]);
    assert.deepEqual(
      header(brokers(['midge', 'mosquitto', 'aedes', 'floor'])).slice(-3),
      ['midge/mosq', 'midge/aedes', 'midge/floor'],
    );
  });

  it('adds nothing when the floor did not run', () => {
    const checks = checkTargets(run({ midge: 25, mosquitto: 18, aedes: 10 }));
    assert.ok(checks.every((c) => !c.detail.includes('floor')));
  });
});

/**
 * `midge bench --smoke --quiet` with `args`, from a directory of its own:
 * its exit status and the results it wrote.
 */
async function smokeRun(
  args: string[],
): Promise<{ code: number | null; results: Results }> {
  const out = mkdtempSync(join(tmpdir(), 'midge-bench-floor-'));
  after(() => rmSync(out, { recursive: true, force: true }));
  const code = await new Promise<number | null>((resolve) => {
    const bench = spawn(
      process.execPath,
      [join(root, 'dist/cli/midge.js'), 'bench', ...args, '--smoke', '--quiet'],
      { cwd: out, stdio: 'ignore' },
    );
    bench.once('exit', resolve);
  });
  const latest = join(out, 'midge-bench', 'latest.json');
  const results = (
    code === 0 ? JSON.parse(readFileSync(latest, 'utf8')) : null
  ) as Results;
  return { code, results };
}

describe('bench - floor in a run', () => {
  it('runs when named, with n/a and the reason where it lacks a feature', async () => {
    const { code, results } = await smokeRun([
      '--brokers',
      'midge,floor',
      '--scenarios',
      '1to1-q1-16B,retained',
    ]);
    assert.equal(code, 0);
    const floorOf = (id: string) =>
      results.scenarios.find((s) => s.id === id)?.runs.find((r) => r.broker === 'floor');
    const flow = floorOf('1to1-q1-16B')?.outcome;
    assert.ok((flow?.figures[0]?.value ?? 0) > 0);
    assert.equal(flow?.integrity?.lost, 0);
    assert.equal(
      floorOf('retained-storm')?.skipped,
      'the floor keeps no retained messages',
    );
  });
});

describe('bench - latency warm-up', () => {
  it('warms the latency scenarios for --latency-warmup, the others for --warmup', async () => {
    const { code, results } = await smokeRun([
      '--brokers',
      'floor',
      '--scenarios',
      'latency-q0,1to1-q0-16B',
      '--latency-warmup',
      '1.5',
    ]);
    assert.equal(code, 0);
    const seconds = (id: string) =>
      results.scenarios.find((s) => s.id === id)?.runs[0]?.seconds ?? 0;
    assert.equal(results.settings.latencyWarmup, 1.5);
    assert.ok(
      seconds('latency-q0') >= 1.5,
      `latency run took ${seconds('latency-q0')} s`,
    );
    assert.ok(seconds('1to1-q0-16B') < 1.5, `1to1 run took ${seconds('1to1-q0-16B')} s`);
  });
});
