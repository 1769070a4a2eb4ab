/**
 * Unix-socket listeners (`listener 0 /path`) of the built midge, used by
 * Debian's mosquitto_pub and mosquitto_sub with --unix: Mosquitto's log
 * lines, the socket's mode, removal at exit, a stale socket replaced and
 * a regular file left alone.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type RunningBroker, startBroker } from '../helpers/broker.js';
import { runTool, startListening } from './support.js';

let dir: string;
let path: string;
let broker: RunningBroker;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'midge-unix-'));
  path = join(dir, 'midge.sock');
  // A socket left by an earlier run: bound, never unlinked.
  execFileSync('python3', [
    '-c',
    `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(path)})`,
  ]);
  broker = await startListening({
    rawConfig: (port) =>
      `log_type all\nallow_anonymous true\nlistener ${port} 127.0.0.1\n` +
      `listener 0 ${path}\n`,
  });
});
after(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Unix socket listener', () => {
  test("opens with Mosquitto's line, replacing a stale socket, mode 0770", async () => {
    await broker.waitForOutput(`Opening unix listen socket on path ${path}.`);
    const stat = statSync(path);
    assert.ok(stat.isSocket());
    assert.equal(stat.mode & 0o777, 0o770);
  });

  test('mosquitto_sub and mosquitto_pub --unix talk through it', async () => {
    const sub = runTool(
      'mosquitto_sub',
      ['--unix', path, '-t', 'u/t', '-C', '1', '-W', '5'].concat(['-i', 'unix-sub']),
    );
    await broker.waitForOutput('Received SUBSCRIBE from unix-sub');
    const pub = await runTool(
      'mosquitto_pub',
      ['--unix', path, '-t', 'u/t', '-m', 'via unix'].concat(['-i', 'unix-pub']),
    );
    assert.equal(pub.code, 0, pub.stderr);
    assert.equal((await sub).stdout, 'via unix\n');
  });

  test('clients are logged as Mosquitto logs them: the path, port 0', async () => {
    await broker.waitForOutput(`New connection from ${path}:0 on port 0.`);
    await broker.waitForOutput(
      `New client connected from ${path}:0 as unix-pub (p2, c1, k60).`,
    );
  });

  test('a TCP client reaches a Unix-socket subscriber', async () => {
    const sub = runTool(
      'mosquitto_sub',
      ['--unix', path, '-t', 'x/t', '-C', '1', '-W', '5'].concat(['-i', 'unix-sub2']),
    );
    await broker.waitForOutput('Received SUBSCRIBE from unix-sub2');
    const pub = await runTool(
      'mosquitto_pub',
      ['-h', '127.0.0.1', '-p', String(broker.port)].concat([
        '-t',
        'x/t',
        '-m',
        'from tcp',
      ]),
    );
    assert.equal(pub.code, 0, pub.stderr);
    assert.equal((await sub).stdout, 'from tcp\n');
  });

  test('the socket file goes when midge stops', async () => {
    assert.equal(await broker.stop(), 0);
    assert.equal(existsSync(path), false);
  });
});

describe('Unix socket path taken by a file', () => {
  test('midge refuses to start and leaves the file alone', async (t) => {
    const own = mkdtempSync(join(tmpdir(), 'midge-unix-'));
    t.after(() => rmSync(own, { recursive: true, force: true }));
    const file = join(own, 'data.txt');
    writeFileSync(file, 'precious\n');
    const failed = await startBroker({
      rawConfig: (port) => `listener ${port} 127.0.0.1\nlistener 0 ${file}\n`,
      noWait: true,
    });
    t.after(() => failed.stop());
    const code = await new Promise((r) => failed.process.once('exit', r));
    assert.equal(code, 1);
    const last = failed.output().trim().split('\n').at(-1)!;
    assert.match(last, /^\d+: Error binding unix socket: Address already in use$/);
    assert.equal(readFileSync(file, 'utf8'), 'precious\n');
  });
});

describe('Unix socket path that cannot be bound', () => {
  test("a missing directory: the system's words, as Mosquitto", async (t) => {
    const own = mkdtempSync(join(tmpdir(), 'midge-unix-'));
    t.after(() => rmSync(own, { recursive: true, force: true }));
    const path = join(own, 'no-such-dir', 'midge.sock');
    const failed = await startBroker({
      rawConfig: (port) => `listener ${port} 127.0.0.1\nlistener 0 ${path}\n`,
      noWait: true,
    });
    t.after(() => failed.stop());
    const code = await new Promise((r) => failed.process.once('exit', r));
    assert.equal(code, 1);
    const last = failed.output().trim().split('\n').at(-1)!;
    assert.match(last, /^\d+: Error binding unix socket: No such file or directory$/);
  });
});
