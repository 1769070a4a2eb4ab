/** include_dir: which files, in which order, and what state each file starts with. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ConfigError,
  compareIncludeNames,
  loadConfig,
} from '../../../src/config/index.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'midge-conf-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('include_dir - Mosquitto order: case-folded, upper case first', () => {
  // The order Debian's mosquitto 2.0.11 printed for these names.
  const observed = [
    '.hidden.conf',
    '1.conf',
    'A.conf',
    'a-b.conf',
    'a.conf',
    'aa.conf',
    'ab.conf',
    'a_b.conf',
    'B.conf',
    'b.conf',
    'Z.conf',
    'zz.conf',
    '_x.conf',
  ];
  const shuffled = [...observed].reverse();
  assert.deepEqual(shuffled.sort(compareIncludeNames), observed);
});

test('include_dir - reads *.conf files in order, hidden ones too', (t) => {
  const dir = tempDir(t);
  const inc = join(dir, 'conf.d');
  mkdirSync(inc);
  mkdirSync(join(inc, 'folder.conf'));
  writeFileSync(join(inc, 'b.conf'), 'log_type debug\n');
  writeFileSync(join(inc, 'A.conf'), 'log_type error\n');
  writeFileSync(join(inc, '.hidden.conf'), 'log_type notice\n');
  writeFileSync(join(inc, 'x.CONF'), 'bogus\n');
  writeFileSync(join(inc, 'notes.txt'), 'bogus\n');
  const main = join(dir, 'main.conf');
  writeFileSync(main, `log_type warning\ninclude_dir ${inc}\nlog_type information\n`);
  const c = loadConfig(main);
  assert.deepEqual(c.logType, ['warning', 'notice', 'error', 'debug', 'information']);
  assert.deepEqual(c.files, [
    main,
    join(inc, '.hidden.conf'),
    join(inc, 'A.conf'),
    join(inc, 'b.conf'),
  ]);
  assert.deepEqual(c.sourceOf('log_type'), { file: main, line: 3 });
});

test('include_dir - included files start at the default listener', (t) => {
  const dir = tempDir(t);
  const inc = join(dir, 'inc');
  mkdirSync(inc);
  writeFileSync(
    join(inc, 'a.conf'),
    `max_qos 1\ninclude_dir /nonexistent/x\nlistener 1885\n`,
  );
  const main = join(dir, 'main.conf');
  writeFileSync(main, `listener 1884\ninclude_dir ${inc}\nmax_connections 5\n`);
  const c = loadConfig(main);
  const byPort = new Map(c.listeners.map((l) => [l.port, l]));
  assert.equal(byPort.get(1883)?.maxQos, 1, 'max_qos went to the default listener');
  assert.equal(byPort.get(1884)?.maxQos, 2);
  // The main file carries on in its own listener section.
  assert.equal(byPort.get(1884)?.maxConnections, 5);
  assert.equal(byPort.get(1885)?.maxConnections, -1);
});

test('include_dir - errors name the included file and its line', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, '10-ok.conf'), 'max_qos 1\n');
  writeFileSync(join(dir, '20-bad.conf'), '# header\nmax_qos 9\n');
  const main = join(dir, 'main.txt');
  writeFileSync(main, `include_dir ${dir}\n`);
  assert.throws(() => loadConfig(main), {
    message: `${join(dir, '20-bad.conf')}:2: max_qos must be between 0 and 2, not 9`,
  });
});

test('include_dir - trailing blanks are kept, so the folder is not found', (t) => {
  const dir = tempDir(t);
  const main = join(dir, 'main.conf');
  writeFileSync(main, `include_dir ${dir} \n`);
  assert.throws(() => loadConfig(main), {
    message: `${main}:1: cannot open include_dir "${dir} "`,
  });
});

test('include_dir - a Kubernetes-style ..data symlinked folder works', (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, '..2024_01'));
  writeFileSync(join(dir, '..2024_01', 'm.conf'), 'max_queued_messages 7\n');
  symlinkSync('..2024_01', join(dir, '..data'));
  symlinkSync(join('..data', 'm.conf'), join(dir, 'm.conf'));
  const main = join(dir, 'main.txt');
  writeFileSync(main, `include_dir ${dir}\n`);
  assert.equal(loadConfig(main).maxQueuedMessages, 7);
});

test('loadConfig - a missing file or a folder is a ConfigError', (t) => {
  const dir = tempDir(t);
  assert.throws(
    () => loadConfig(join(dir, 'none.conf')),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(
        e.message,
        `${join(dir, 'none.conf')}: Unable to open config file ${join(dir, 'none.conf')}.`,
      );
      return true;
    },
  );
  assert.throws(() => loadConfig(dir), {
    message: `${dir}: config file ${dir} is a folder`,
  });
});
