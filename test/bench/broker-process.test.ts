/**
 * bench - broker process: a broker that cannot be started (a mosquitto
 * that is not executable, a command that is gone) is reported as a failed
 * start with the reason, never an unhandled error that ends the bench.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BrokerProcess, freePort } from '../../src/bench/brokers/broker-process.js';
import type { BrokerDef } from '../../src/bench/brokers/brokers.js';

const dir = mkdtempSync(join(tmpdir(), 'midge-bench-proc-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function brokerAt(command: string): BrokerDef {
  return {
    name: 'mosquitto',
    path: () => command,
    unavailable: () => null,
    version: () => 'test',
    lacks: () => null,
    plan: () => ({ command, args: [] }),
  };
}

async function startError(command: string): Promise<string> {
  const settings = {
    port: await freePort(),
    dir: join(dir, 'run'),
    features: { persistence: false, retained: false, inflight: 0 },
    nodeFlags: [],
  };
  try {
    const broker = await BrokerProcess.start(brokerAt(command), settings, null);
    await broker.stop();
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail(`${command} started`);
}

describe('bench - broker process', () => {
  it('reports a broker that is not executable', async () => {
    const script = join(dir, 'mosquitto');
    writeFileSync(script, '#!/bin/sh\n');
    chmodSync(script, 0o644);
    const message = await startError(script);
    assert.match(message, /mosquitto did not start: .*EACCES/);
  });

  it('reports a broker that is gone', async () => {
    const message = await startError(join(dir, 'no-such-broker'));
    assert.match(message, /mosquitto did not start: .*ENOENT/);
  });
});
