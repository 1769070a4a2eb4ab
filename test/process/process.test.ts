/**
 * The broker as a process: pid file, -d, `user`, exit codes, signals.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { midgeBin, startBroker } from '../helpers/broker.js';
import { until } from '../helpers/wait.js';

const isRoot = process.getuid?.() === 0;

function uidOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
}

test('pid_file holds the pid while running and is removed on SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-pid-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pidPath = join(dir, 'midge.pid');
  const broker = await startBroker({ config: `pid_file ${pidPath}` });
  t.after(() => broker.stop());
  assert.equal(readFileSync(pidPath, 'utf8'), `${broker.process.pid}\n`);
  assert.equal(await broker.stop(), 0);
  assert.equal(existsSync(pidPath), false);
});

test('-d runs the broker in the background and returns at once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-daemon-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pidPath = join(dir, 'midge.pid');
  const conf = join(dir, 'midge.conf');
  // A Unix socket listener: no race for a free TCP port with other tests.
  writeFileSync(conf, `listener 0 ${join(dir, 'midge.sock')}\npid_file ${pidPath}\n`);
  const result = spawnSync(process.execPath, [midgeBin, '-c', conf, '-d'], {
    timeout: 10_000,
  });
  assert.equal(result.status, 0, result.stderr.toString());
  await until(() => existsSync(join(dir, 'midge.sock')), 15_000);
  const pid = Number(readFileSync(pidPath, 'utf8'));
  t.after(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  });
  assert.notEqual(pid, result.pid);
  process.kill(pid, 'SIGTERM');
  await until(() => !existsSync(pidPath));
});

test('user: a broker started as root runs as that user', {
  skip: !isRoot && 'needs root',
}, async (t) => {
  const broker = await startBroker({ config: 'user nobody' });
  t.after(() => broker.stop());
  const pid = broker.process.pid!;
  await until(() => uidOf(pid) !== 0);
  const nobody = spawnSync('id', ['-u', 'nobody']).stdout.toString().trim();
  assert.equal(uidOf(pid), Number(nobody));
});

test('a bad config line stops start-up with exit code 3, file and line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-bad-'));
  try {
    const conf = join(dir, 'bad.conf');
    writeFileSync(conf, 'listener 1883 127.0.0.1\nmax_inflight_messages lots\n');
    const result = spawnSync(process.execPath, [midgeBin, '-c', conf], {
      timeout: 10_000,
    });
    assert.equal(result.status, 3);
    assert.match(result.stderr.toString(), new RegExp(`${conf}:2`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an option whose feature is not built yet stops start-up clearly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-unbuilt-'));
  try {
    const conf = join(dir, 'dlt.conf');
    writeFileSync(conf, 'listener 1883 127.0.0.1\nlog_dest dlt\n');
    const result = spawnSync(process.execPath, [midgeBin, '-c', conf], {
      timeout: 10_000,
    });
    assert.equal(result.status, 3);
    assert.match(
      result.stderr.toString(),
      /dlt.conf:2: option log_dest is not supported yet/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--test-config checks the file and exits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-tc-'));
  try {
    const conf = join(dir, 'ok.conf');
    writeFileSync(conf, 'listener 1883 127.0.0.1\n');
    const result = spawnSync(process.execPath, [midgeBin, '-c', conf, '--test-config']);
    assert.equal(result.status, 0);
    assert.match(result.stdout.toString(), /valid/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--test-config reads the security files start-up would read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-tcs-'));
  try {
    const conf = join(dir, 'sec.conf');
    const acl = join(dir, 'acl');
    writeFileSync(acl, 'topic read a/#\nbogus line here\n');
    writeFileSync(
      conf,
      `per_listener_settings true\nlistener 1883 127.0.0.1\nacl_file ${acl}\n` +
        `listener 1884 127.0.0.1\npassword_file ${dir}/none\n`,
    );
    const testConfig = () =>
      spawnSync(process.execPath, [midgeBin, '-c', conf, '--test-config']);
    const badAcl = testConfig();
    assert.equal(badAcl.status, 13);
    assert.match(badAcl.stderr.toString(), /acl:2: invalid line/);
    assert.doesNotMatch(badAcl.stdout.toString(), /valid/);
    writeFileSync(acl, 'topic read a/#\n');
    const noPasswords = testConfig();
    assert.equal(noPasswords.status, 13);
    assert.match(noPasswords.stderr.toString(), /cannot open password file/);
    writeFileSync(join(dir, 'none'), '');
    const fixed = testConfig();
    assert.equal(fixed.status, 0, fixed.stderr.toString());
    assert.match(fixed.stdout.toString(), /Configuration file is valid/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a password file that cannot be read stops start-up with exit code 13', () => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-pw-'));
  try {
    const conf = join(dir, 'pw.conf');
    writeFileSync(conf, `listener 0 ${join(dir, 's.sock')}\npassword_file ${dir}/none\n`);
    const result = spawnSync(process.execPath, [midgeBin, '-c', conf], {
      timeout: 10_000,
    });
    assert.equal(result.status, 13);
    assert.match(result.stderr.toString(), /cannot open password file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
