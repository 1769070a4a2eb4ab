/**
 * The bridge's local session is trusted, as a Mosquitto bridge is: with
 * allow_anonymous false, a password file and an ACL file that grant the
 * bridge nothing, it still carries messages both ways.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { client, Inbox, plainListener, startHost, startMidge, until } from './helpers.js';

describe('bridge and local security', () => {
  test('no local credentials needed, no ACL applied to the bridge', async (t) => {
    const remote = await startMidge(plainListener);
    t.after(() => remote.stop());
    const host = await startHost((p) => {
      const dir = mkdtempSync(join(tmpdir(), 'midge-bridge-sec-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const passwords = join(dir, 'passwd');
      execFileSync('mosquitto_passwd', ['-c', '-b', passwords, 'alice', 'pw']);
      const acl = join(dir, 'acl');
      writeFileSync(acl, 'user alice\ntopic readwrite s/#\n');
      return (
        `listener ${p} 127.0.0.1\nallow_anonymous false\npassword_file ${passwords}\n` +
        `acl_file ${acl}\nconnection sec\naddress 127.0.0.1:${remote.port}\n` +
        'restart_timeout 1\ntopic s/# both 1\n'
      );
    });
    t.after(() => host.stop());
    await until(() => host.bridges.bridges.get('sec')?.state === 'connected', 5000);
    const alice = await client(host.port, { username: 'alice', password: 'pw' });
    t.after(() => alice.end());
    const far = await client(remote.port);
    t.after(() => far.end());
    const ai = new Inbox(alice);
    const fi = new Inbox(far);
    await alice.subscribe('s/#', { qos: 1 });
    await far.subscribe('s/#', { qos: 1 });
    await alice.publish('s/out', 'o', { qos: 1 });
    await far.publish('s/in', 'i', { qos: 1 });
    await until(() => ai.messages.length >= 2 && fi.messages.length >= 2, 5000);
    assert.deepEqual(ai.lines().sort(), ['s/in i', 's/out o']);
    assert.deepEqual(fi.lines().sort(), ['s/in i', 's/out o']);
  });
});
