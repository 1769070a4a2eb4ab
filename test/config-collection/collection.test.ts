/**
 * The collection of real-world mosquitto.conf files in confs/ starts midge
 * without change. For each file: `midge --test-config` accepts it, midge
 * starts and listens on every listener the file declares, and a real
 * client gets a message through it with the credentials the file demands.
 * The same file run through Debian's mosquitto 2.0.11 shows it is a real
 * Mosquitto configuration (2.1-only lines left out, and said so).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { after, before, describe, test } from 'node:test';
import type { Case } from './case.js';
import { CASES } from './cases.js';
import { makeCerts, removeCerts } from './certs.js';
import {
  type BrokerKind,
  filesOf,
  listenersOf,
  prepareRun,
  type Run,
  type RunningBroker,
  startBroker,
  testConfig,
  waitForListeners,
} from './collection.js';

const haveMosquitto =
  spawnSync('mosquitto', ['-h'], { stdio: 'ignore' }).error === undefined;

let certs = '';
before(() => {
  certs = makeCerts();
});
after(() => removeCerts(certs));

/** Starts the case's remote broker (if any), then the file itself. */
async function startCase(t: TestContext, run: Run, c: Case): Promise<RunningBroker> {
  const withoutWebsockets = (file: string) =>
    listenersOf(join(run.dir, file)).filter(
      // Debian's 2.0.11 has no websockets: those listeners never open.
      (l) => run.kind === 'midge' || l.kind === 'unix' || !l.websockets,
    );
  if (c.remote) {
    const remote = startBroker(t, run, c.remote);
    await waitForListeners(remote, withoutWebsockets(c.remote));
  }
  const listeners = withoutWebsockets(c.file);
  assert.ok(listeners.length > 0, `${c.file} declares no listener`);
  const broker = startBroker(t, run, c.file);
  await waitForListeners(broker, listeners);
  return broker;
}

async function runOn(t: TestContext, kind: BrokerKind, c: Case, check: Case['check']) {
  const run = await prepareRun(t, kind, certs);
  if (kind === 'mosquitto') {
    const files = [c.file, ...(c.remote ? [c.remote] : [])];
    const leftOut = files
      .flatMap((file) => filesOf(join(run.dir, file)))
      .flatMap((path) => run.leftOut.get(path) ?? []);
    assert.deepEqual(leftOut, c.only21 ?? []);
  }
  const broker = await startCase(t, run, c);
  await check(t, run, broker);
}

for (const c of CASES) {
  describe(c.file, () => {
    test('midge --test-config exits with 0', { todo: c.todo }, async (t) => {
      const run = await prepareRun(t, 'midge', certs);
      const result = await testConfig(run, c.file);
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /Configuration file is valid/);
    });

    test('midge starts on it and carries a message', { todo: c.todo }, (t) =>
      runOn(t, 'midge', c, c.check),
    );

    const m = c.mosquitto;
    const name =
      m === 'same'
        ? 'mosquitto 2.0.11 starts on it too and carries the same message'
        : `mosquitto 2.0.11 starts on it too (${m.why})`;
    const skip = haveMosquitto ? false : 'mosquitto is not installed';
    test(name, { skip }, (t) =>
      runOn(t, 'mosquitto', c, m === 'same' ? c.check : m.check),
    );
  });
}
