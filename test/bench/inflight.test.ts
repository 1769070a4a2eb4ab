/**
 * bench - in flight: the inflight-q1-N scenarios give every broker
 * max_inflight_messages N (the floor too), and the targets table checks
 * that midge is no slower with N in flight than with the default 20.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { brokerDefs, type LaunchSettings } from '../../src/bench/brokers/brokers.js';
import { parseOptions } from '../../src/bench/options.js';
import type { Results, ScenarioResult } from '../../src/bench/report/results.js';
import { checkTargets } from '../../src/bench/report/targets.js';
import { allScenarios } from '../../src/bench/scenarios/index.js';
import { freePort } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';
import { open } from '../interop/mqttjs-support.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function settings(inflight: number): LaunchSettings {
  const features = { persistence: false, retained: false, inflight };
  return { port: 1, dir: '/nonexistent', features, nodeFlags: [] };
}

describe('bench - in-flight depth, broker setup', () => {
  it('sets max_inflight_messages for midge and Mosquitto only when a scenario asks', () => {
    for (const name of ['midge', 'mosquitto'] as const) {
      const deep = brokerDefs[name].plan(settings(1000)).config?.text ?? '';
      const plain = brokerDefs[name].plan(settings(0)).config?.text ?? '';
      assert.match(deep, /^max_inflight_messages 1000$/m, name);
      assert.doesNotMatch(plain, /max_inflight_messages/, name);
    }
    assert.deepEqual(brokerDefs.floor.plan(settings(1000)).args.slice(-2), ['1', '1000']);
    assert.deepEqual(brokerDefs.floor.plan(settings(0)).args.slice(-2), ['1', '20']);
  });

  it('runs the scenarios at 1,000 and 10,000 in flight', () => {
    const all = allScenarios(parseOptions([], 2).settings);
    const deep = all.filter((s) => s.id.startsWith('inflight-q1-'));
    assert.deepEqual(
      deep.map((s) => [s.id, s.features.inflight]),
      [
        ['inflight-q1-1000', 1000],
        ['inflight-q1-10000', 10_000],
      ],
    );
  });
});

describe('bench - in-flight depth, the floor', () => {
  let port = 0;
  let relay: ChildProcess;

  before(async () => {
    port = await freePort();
    const script = join(root, 'dist/bench/brokers/floor-relay.js');
    relay = spawn(process.execPath, [script, String(port), '3'], { stdio: 'pipe' });
    await new Promise<void>((resolve, reject) => {
      relay.stdout?.once('data', () => resolve());
      relay.once('exit', (code) => reject(new Error(`relay exited: ${code}`)));
    });
  });
  after(() => {
    relay.kill();
  });

  it('keeps the window it is given', async (t) => {
    const sub = await RawClient.session(t, port, { clientId: 'deep' });
    await sub.subscribe([{ topic: 'deep/w', qos: 1 }]);
    const pub = await open(t, port, { protocolVersion: 4 });
    for (let i = 0; i < 5; i++) pub.client.publish('deep/w', String(i), { qos: 1 });
    for (let i = 0; i < 3; i++) await sub.expect('publish');
    await sub.expectNothing(300);
  });
});

function scenario(id: string, midge: number): ScenarioResult {
  return {
    id,
    title: id,
    kind: 'throughput',
    figures: [{ metric: 'delivered', unit: 'msg/s', better: 'higher' }],
    runs: [
      {
        broker: 'midge',
        outcome: {
          figures: [
            { metric: 'delivered', unit: 'msg/s', better: 'higher', value: midge },
          ],
          errors: [],
        },
      },
    ],
  } as ScenarioResult;
}

describe('bench - in-flight depth, the target', () => {
  const depth = (results: Results) =>
    checkTargets(results).find((c) => c.target === 'no slower with more in flight');

  it('is met when midge is no slower than at 20 in flight, missed when slower', () => {
    const run = (deep: number) =>
      ({
        scenarios: [scenario('1to1-q1-16B', 200), scenario('inflight-q1-1000', deep)],
      }) as unknown as Results;
    assert.equal(depth(run(800))?.status, 'met');
    assert.match(depth(run(800))?.detail ?? '', /= 4\.00$/);
    assert.equal(depth(run(150))?.status, 'missed');
  });

  it('is n/a without the 20-deep run to compare with', () => {
    const results = {
      scenarios: [scenario('inflight-q1-1000', 800)],
    } as unknown as Results;
    assert.equal(depth(results)?.status, 'n/a');
  });
});
