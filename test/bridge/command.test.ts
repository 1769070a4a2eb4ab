/**
 * Bridges in the midge command itself (dist/cli/midge.js): two midge
 * processes, one bridging to the other. Skipped while the command is built
 * without the 'bridge' feature (src/cli/server-spec.ts builtFeatures).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { builtFeatures } from '../../src/cli/server-spec.js';
import {
  client,
  Inbox,
  plainListener,
  retainedPayload,
  startMidge,
  until,
} from './helpers.js';

const skip = builtFeatures.has('bridge') ? false : 'the midge command has no bridges yet';

describe('bridges in the midge command', () => {
  test('a bridge section makes midge bridge, and logs it', { skip }, async (t) => {
    const remote = await startMidge(plainListener);
    t.after(() => remote.stop());
    const bridging = await startMidge(
      (p) =>
        `${plainListener(p)}log_type all\nconnection cmd\n` +
        `address 127.0.0.1:${remote.port}\nremote_clientid cmd\n` +
        'restart_timeout 1\ntopic c/# both 1\n',
    );
    t.after(() => bridging.stop());
    await bridging.waitForOutput(
      `Connecting bridge (step 1) cmd (127.0.0.1:${remote.port})`,
    );
    await until(
      async () =>
        (await retainedPayload(remote.port, '$SYS/broker/connection/cmd/state')) === '1',
      5000,
    );
    const sub = await client(remote.port);
    t.after(() => sub.end());
    const inbox = new Inbox(sub);
    await sub.subscribe('c/#', { qos: 1 });
    const pub = await client(bridging.port);
    await pub.publish('c/1', 'through the command', { qos: 1 });
    await pub.end();
    await inbox.waitCount(1);
    assert.deepEqual(inbox.lines(), ['c/1 through the command']);
  });

  test('a bridge setting midge cannot honour stops the command', { skip }, async () => {
    const result = await startMidge(
      (p) =>
        `${plainListener(p)}connection o\naddress 127.0.0.1:${p}\n` +
        'bridge_cafile /nonexistent.pem\nbridge_tls_version tlsv9\ntopic a\n',
    ).catch((error: Error) => error);
    if (!(result instanceof Error)) {
      await result.stop();
      assert.fail('the command ran with bridge_tls_version tlsv9');
    }
    assert.match(result.message, /unknown bridge_tls_version "tlsv9"/);
  });
});
