/**
 * bench - command line: `midge bench` options as parsed, and the built
 * command's answer to bad input (a results file that is missing or not
 * one, a build without the benchmark): one line and an exit status, never
 * a stack trace.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseOptions } from '../../src/bench/options.js';
import { allScenarios, selectScenarios } from '../../src/bench/scenarios/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'midge-bench-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function midge(
  entry: string,
  args: string[],
  nodeFlags: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeFlags, entry, ...args], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const built = join(root, 'dist/cli/midge.js');

describe('bench - options', () => {
  it('takes --flag=value with an = in the value', () => {
    assert.equal(parseOptions(['--out=a=b'], 2).out, 'a=b');
    assert.equal(parseOptions(['--midge=x=1.js'], 2).midge, 'x=1.js');
  });

  it('refuses a value given to a flag that takes none', () => {
    assert.throws(() => parseOptions(['--list=no'], 2), /--list takes no value/);
    assert.throws(() => parseOptions(['--no-pin=1'], 2), /--no-pin takes no value/);
  });

  it('refuses an empty value', () => {
    for (const flag of ['--out', '--brokers', '--markdown', '--midge']) {
      assert.throws(() => parseOptions([`${flag}=`], 2), /needs a value/, flag);
      assert.throws(() => parseOptions([flag, ''], 2), /needs a value/, flag);
    }
    assert.throws(() => parseOptions(['--brokers', ','], 2), /no broker named/);
  });

  it('refuses a broker named twice, which would run twice for one column', () => {
    assert.throws(
      () => parseOptions(['--brokers', 'midge,floor,midge'], 2),
      /--brokers: midge named twice/,
    );
    assert.deepEqual(parseOptions(['--brokers', 'floor,midge'], 2).brokers, [
      'floor',
      'midge',
    ]);
  });

  it('--scenarios: a whole id picks that scenario alone, a part picks all with it', () => {
    const all = allScenarios(parseOptions([], 2).settings);
    const ids = (filters: string[]) => selectScenarios(all, filters).map((s) => s.id);
    assert.deepEqual(ids(['inflight-q1-1000']), ['inflight-q1-1000']);
    assert.deepEqual(ids(['inflight']), ['inflight-q1-1000', 'inflight-q1-10000']);
    assert.deepEqual(ids(['inflight-q1-1000', 'latency-q1']), [
      'inflight-q1-1000',
      'latency-q1',
    ]);
  });

  it('refuses a protocol level other than 4 or 5', () => {
    assert.equal(parseOptions(['--mqtt', '5'], 2).settings.version, 5);
    assert.equal(parseOptions(['--mqtt', '4'], 2).settings.version, 4);
    assert.throws(() => parseOptions(['--mqtt', '3'], 2), /--mqtt: 4 or 5/);
  });

  it('refuses a count that is not a whole number', () => {
    for (const flag of ['--idle', '--window', '--fan', '--retained', '--workers']) {
      assert.throws(() => parseOptions([flag, '2.5'], 2), /whole number/, flag);
      assert.doesNotThrow(() => parseOptions([flag, '3'], 2), flag);
    }
  });

  it('lets options given with --smoke win, wherever --smoke stands', () => {
    const after = parseOptions(['--duration', '2', '--smoke'], 2).settings;
    const before = parseOptions(['--smoke', '--duration', '2'], 2).settings;
    assert.equal(after.duration, 2);
    assert.equal(before.duration, 2);
    assert.equal(after.retained, 300, 'the rest of --smoke still applies');
  });
});

describe('bench - bad input to the built command', () => {
  const cases: Array<[string, string]> = [
    ['missing.json', ''],
    ['empty.json', ''],
    ['garbage.json', 'garbage\n'],
    ['object.json', '{}\n'],
    ['null.json', 'null\n'],
  ];
  for (const [name, text] of cases) {
    if (name !== 'missing.json') writeFileSync(join(dir, name), text);
  }

  it('--markdown with a file that is missing or not results: one line, status 1', async () => {
    for (const [name] of cases) {
      const r = await midge(built, ['bench', '--markdown', name]);
      assert.equal(r.code, 1, `${name}: ${r.stderr}`);
      assert.equal(r.stdout, '', name);
      assert.match(r.stderr, new RegExp(`^bench: ${name}: .+\n$`), name);
    }
  });

  it('--midge naming no file: refused before anything runs, status 2', async () => {
    const args = ['bench', '--smoke', '--midge', 'nothing.js', '--out', 'never'];
    const r = await midge(built, args);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^bench: --midge: no such file: .*nothing\.js\n$/);
  });

  it('an --out that cannot be made: one line, status 1', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    const args = ['bench', '--smoke', '--scenarios', 'conn', '--out', 'a-file/x'];
    const r = await midge(built, args);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^bench: cannot create .*a-file\/x.*ENOTDIR.*\n$/);
  });

  it('a build without dist/bench says so, status 1', async () => {
    // A copy of the build without the benchmark, beside midge's dependencies.
    const copy = join(dir, 'pkg');
    cpSync(join(root, 'dist'), join(copy, 'dist'), {
      recursive: true,
      filter: (src) => !src.startsWith(join(root, 'dist/bench')),
    });
    cpSync(join(root, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
    const r = await midge(join(copy, 'dist/cli/midge.js'), ['bench', '--list']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^midge: this build has no benchmark \(.+\)\n$/);
  });

  it('a midge that cannot start: its runs fail, status 1', async () => {
    writeFileSync(join(dir, 'broken.mjs'), 'process.exit(3);\n');
    const args = ['bench', '--smoke', '--brokers', 'midge', '--scenarios', 'conn'];
    const r = await midge(built, [...args, '--midge', 'broken.mjs', '--out', 'res']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /failed: midge did not start/);
  });

  it('not on Linux: says so, status 1, before starting anything', async () => {
    // The same build, told by a preload that it runs on another system.
    const preload = join(dir, 'elsewhere.mjs');
    writeFileSync(
      preload,
      "Object.defineProperty(process, 'platform', { value: 'darwin' });\n",
    );
    const args = ['bench', '--smoke', '--out', 'nowhere'];
    const r = await midge(built, args, ['--import', preload]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, 'bench: not supported on darwin: it needs Linux\n');
    assert.equal(existsSync(join(dir, 'nowhere')), false);
  });

  it('SIGTERM to the bench stops the broker it runs, status 143', async () => {
    const args = ['bench', '--brokers', 'midge', '--scenarios', '1to1-q0-16B'];
    const child = spawn(process.execPath, [built, ...args, '--duration', '30'], {
      cwd: dir,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    after(() => child.kill('SIGKILL'));
    const broker = await childPid(child.pid!);
    child.kill('SIGTERM');
    assert.equal(await exited, 143);
    await waitFor(() => !alive(broker));
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The first child process of `parent` that is a broker (not a worker). */
async function childPid(parent: number): Promise<number> {
  let found = 0;
  await waitFor(() => {
    const line = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim();
    for (const pid of line.split(' ').filter(Boolean).map(Number)) {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes('midge.js') && cmd.includes('-c')) found = pid;
    }
    return found !== 0;
  });
  return found;
}
