/**
 * --help in Mosquitto's layout under midge's names, and the per-user
 * options file (~/.config/midge_sub where Mosquitto reads
 * ~/.config/mosquitto_sub).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { helpFlags, optionTable } from '../../src/cli/client-options/index.js';
import { fileBroker, type Impl, run, start, type Tool } from './helpers.js';

const tools: Tool[] = ['pub', 'sub', 'rr'];

/** Flags midge adds to Mosquitto 2.0.11's help: 2.1's, -S, and rr's message options. */
const added: Record<Tool, string[]> = {
  pub: ['-o', '-S', '--ws', '--no-tls'],
  sub: ['-o', '-S', '--ws', '--no-tls'],
  rr: [
    ...['-f', '-I', '-m', '-n', '-o', '-s', '-S', '--ws', '--no-tls'],
    ...['--keyform', '--tls-engine', '--tls-engine-kpass-sha1'],
  ],
};

/** Options both tools have but do not describe, as Mosquitto leaves them out. */
const undescribed: Record<Tool, string[]> = {
  pub: ['--tls-alpn', '--version'],
  sub: ['-M', '--tls-alpn', '--retain-as-published', '--version'],
  rr: ['-M', '--tls-alpn', '--retain-as-published', '--version'],
};

function entryFlags(help: string): string[] {
  return [...help.matchAll(/^ (-{1,2}[\w-]+) : /gm)].map((m) => m[1]!);
}

describe('--help', () => {
  for (const tool of tools) {
    test(`midge_${tool}: Mosquitto's layout, flags and order`, async () => {
      const [m, g] = await Promise.all(
        (['mosquitto', 'midge'] as Impl[]).map((impl) => run(impl, tool, ['--help'])),
      );
      const help = g!.stdout.toString();
      assert.deepEqual([g!.code, g!.stderr], [m!.code, m!.stderr]);
      const lines = help.split('\n');
      const name = `midge_${tool}`;
      assert.match(lines[0]!, new RegExp(`^${name} `));
      const usage = lines.findIndex((l) => l.startsWith(`Usage: ${name} {`));
      const end = lines.indexOf(`       ${name} --help`);
      assert.ok(usage > 0 && end > usage, 'usage block');
      const indent = ' '.repeat(`Usage: ${name} `.length);
      for (const line of lines.slice(usage + 1, end))
        assert.ok(line.startsWith(indent), line);
      assert.ok(help.endsWith('information.\n\n'), 'ends with a blank line');
      const mine = entryFlags(help).filter((f) => !added[tool].includes(f));
      assert.deepEqual(mine, entryFlags(m!.stdout.toString()));
      assert.deepEqual(entryFlags(help), [...helpFlags(tool)]);
    });

    test(`midge_${tool}: each option described, or left out as by Mosquitto`, () => {
      const described = new Set(helpFlags(tool));
      const missing = optionTable
        .filter((o) => o.tools.includes(tool))
        .filter((o) => !o.names.some((n) => described.has(n)))
        .map((o) => o.names[0]!);
      assert.deepEqual(missing.sort(), undescribed[tool].sort());
    });
  }
});

describe('options file', () => {
  const broker = fileBroker();
  const home = mkdtempSync(join(tmpdir(), 'midge-tools-options-'));
  after(() => rmSync(home, { recursive: true, force: true }));

  function writeOptions(dir: string, impl: Impl, text: string): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${impl === 'midge' ? 'midge' : 'mosquitto'}_sub`), text);
  }

  async function bothWith(env: NodeJS.ProcessEnv, args: string[], topic: string) {
    const results = [];
    for (const impl of ['mosquitto', 'midge'] as Impl[]) {
      const id = `opt-${impl}-${topic.replace(/\W/g, '')}`;
      const sub = start(impl, 'sub', ['-p', `${broker.port}`, '-i', id, ...args], {
        env,
      });
      await broker.waitForLog(new RegExp(`Sending SUBACK to ${id}`)).catch(() => {});
      await run('mosquitto', 'pub', [
        '-h',
        '127.0.0.1',
        '-p',
        `${broker.port}`,
        '-t',
        topic,
        '-m',
        'hi',
      ]);
      results.push(await sub.done);
    }
    return results;
  }

  test('~/.config/<tool>: read before the command line, # comments', async () => {
    const text = '# defaults\n-h 127.0.0.1\n-v\n-t opt/file\n-C 1\n';
    for (const impl of ['mosquitto', 'midge'] as Impl[]) {
      writeOptions(join(home, '.config'), impl, text);
    }
    const [m, g] = await bothWith({ HOME: home }, ['-t', 'opt/cli'], 'opt/file');
    assert.equal(
      m!.stdout.toString(),
      'opt/file hi\n',
      `mosquitto_sub: ${m!.code} ${m!.stderr}\nbroker:\n${broker.log().slice(-3000)}`,
    );
    assert.deepEqual([g!.code, g!.stdout, g!.stderr], [m!.code, m!.stdout, m!.stderr]);
  });

  test('$XDG_CONFIG_HOME wins; a bad line fails as in Mosquitto', async () => {
    const xdg = join(home, 'xdg');
    for (const impl of ['mosquitto', 'midge'] as Impl[]) {
      writeOptions(xdg, impl, '-h 127.0.0.1\n-F %t=%p\n-C 1\n');
    }
    const env = { HOME: home, XDG_CONFIG_HOME: xdg };
    const [m, g] = await bothWith(env, ['-t', 'opt/xdg'], 'opt/xdg');
    assert.equal(m!.stdout.toString(), 'opt/xdg=hi\n');
    assert.deepEqual([g!.code, g!.stdout, g!.stderr], [m!.code, m!.stdout, m!.stderr]);
    for (const impl of ['mosquitto', 'midge'] as Impl[])
      writeOptions(xdg, impl, '-q 3\n');
    const bad = await Promise.all(
      (['mosquitto', 'midge'] as Impl[]).map((impl) =>
        run(impl, 'sub', ['-t', 'x'], { env }),
      ),
    );
    assert.equal(bad[1]!.stderr, bad[0]!.stderr.replace('mosquitto_sub', 'midge_sub'));
    assert.equal(bad[1]!.code, 1);
  });

  test('-o FILE (Mosquitto 2.1) names another file', async () => {
    const file = join(home, 'other-options');
    writeFileSync(file, '-h 127.0.0.1\n-F [%t]\n-C 1\n');
    const id = 'opt-o';
    const sub = start(
      'midge',
      'sub',
      ['-p', `${broker.port}`, '-i', id, '-o', file, '-t', 'opt/o'],
      {
        env: { HOME: home },
      },
    );
    await broker.waitForLog(/Sending SUBACK to opt-o/);
    await run('mosquitto', 'pub', [
      '-h',
      '127.0.0.1',
      '-p',
      `${broker.port}`,
      '-t',
      'opt/o',
      '-m',
      'x',
    ]);
    const result = await sub.done;
    assert.deepEqual([result.code, result.stdout.toString()], [0, '[opt/o]\n']);
  });
});
