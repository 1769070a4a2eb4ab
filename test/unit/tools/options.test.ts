/**
 * The shared options module without processes: C number parsing, the
 * options file's line rules, -L and --proxy URLs, -D properties, the load
 * order (file, then command line, then whole-set checks) and the help data.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { atof, atoi, atol, strtol } from '../../../src/cli/client-options/c-numbers.js';
import {
  type ClientConfig,
  helpText,
  loadConfig,
  PubMode,
  readOptionsFile,
  type ToolKind,
} from '../../../src/cli/client-options/index.js';

const dir = mkdtempSync(join(tmpdir(), 'midge-options-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function load(tool: ToolKind, args: string[], env: NodeJS.ProcessEnv = { HOME: dir }) {
  return loadConfig(tool, args, env);
}

function config(tool: ToolKind, args: string[]): ClientConfig {
  const result = load(tool, args);
  assert.equal(result.kind, 'ok', result.kind === 'error' ? result.text : '');
  return (result as { config: ClientConfig }).config;
}

function error(tool: ToolKind, args: string[]): string {
  const result = load(tool, args);
  assert.equal(result.kind, 'error');
  return (result as { text: string }).text;
}

describe('C number parsing', () => {
  test('atoi reads a prefix, wraps to 32 bits; atol saturates at 64', () => {
    assert.equal(atoi('12abc'), 12);
    assert.equal(atoi('  -7'), -7);
    assert.equal(atoi('x'), 0);
    assert.equal(atoi('99999999999'), 1215752191);
    assert.equal(atol('99999999999999999999999'), 9223372036854775807n);
    assert.equal(atof('0.5s'), 0.5);
    assert.equal(atof('-inf'), Number.NEGATIVE_INFINITY);
  });

  test('strtol base 0: hex, octal, and where it stopped', () => {
    assert.deepEqual(strtol('0x10', 0), { value: 16n, end: 4 });
    assert.deepEqual(strtol('010', 0), { value: 8n, end: 3 });
    assert.deepEqual(strtol('0x', 0), { value: 0n, end: 1 });
    assert.deepEqual(strtol('z', 0), { value: 0n, end: 0 });
  });
});

describe('options file', () => {
  test('one option and one value per line, cut at the first space', () => {
    const file = join(dir, 'lines');
    const long = `-m ${'x'.repeat(1100)}`;
    writeFileSync(file, `# comment\n-v\r\n  -t  a b\n\n-q 1 \n${long}\n`);
    assert.deepEqual(readOptionsFile(file), [
      ['-v'],
      ['-t', ' a b'],
      ['-q', '1 '],
      ['-m', 'x'.repeat(1020)],
      ['x'.repeat(80)],
    ]);
    assert.deepEqual(readOptionsFile(join(dir, 'missing')), []);
  });

  test('the file comes first; the command line adds to it and overrides it', () => {
    const home = mkdtempSync(join(dir, 'home-'));
    const xdg = mkdtempSync(join(dir, 'xdg-'));
    writeFileSync(join(xdg, 'midge_sub'), '-t from/file\n-q 1\n-v\n');
    const result = loadConfig('sub', ['-t', 'from/cli', '-q', '2'], {
      HOME: home,
      XDG_CONFIG_HOME: xdg,
    });
    assert.equal(result.kind, 'ok');
    const cfg = (result as { config: ClientConfig }).config;
    assert.deepEqual(
      [cfg.topics, cfg.qos, cfg.verbose],
      [['from/file', 'from/cli'], 2, true],
    );
    assert.equal(cfg.optionsFile, join(xdg, 'midge_sub'));
  });

  test('-o names the file; twice, or without a name, is an error', () => {
    const file = join(dir, 'o-file');
    writeFileSync(file, '-F %t\n');
    assert.equal(config('sub', ['-o', file, '-t', 'a']).format, '%t');
    assert.equal(
      error('sub', ['-o', file, '-o', file]),
      'Error: Duplicate -o argument given.\n\n',
    );
    assert.equal(
      error('sub', ['-t', 'a', '-o']),
      'Error: -o argument given but no options file specified.\n\n',
    );
  });

  test('without HOME or XDG_CONFIG_HOME the command line alone counts', () => {
    const result = loadConfig('pub', ['-t', 'a', '-m', 'b', '-p', '1884'], {});
    assert.equal(result.kind, 'ok');
    if (result.kind !== 'ok') return;
    assert.deepEqual([result.config.topic, result.config.port], ['a', 1884]);
    assert.equal(result.config.optionsFile, undefined);
  });
});

describe('-L and --proxy', () => {
  test('-L: user, password, host, port, topic; mqtts trusts the OS CAs', () => {
    const cfg = config('pub', ['-L', 'mqtts://me:s3:cret@broker.example:8884/a/b']);
    assert.deepEqual(
      [cfg.username, cfg.password, cfg.host, cfg.port, cfg.topic, cfg.tls.useOsCerts],
      ['me', 's3:cret', 'broker.example', 8884, 'a/b', true],
    );
    const ws = config('sub', ['-L', 'ws://h/t/#']);
    assert.deepEqual([ws.transport, ws.port, ws.topics], ['ws', 1883, ['t/#']]);
  });

  test('--proxy: default port 1080; %40 decodes to ":" as in Mosquitto', () => {
    const cfg = config('pub', ['--proxy', 'socks5h://u%40x:p%25@proxy.example']);
    assert.deepEqual(cfg.proxy, {
      host: 'proxy.example',
      port: 1080,
      username: 'u:x',
      password: 'p%',
    });
    assert.equal(config('pub', ['--proxy', 'socks5h://h:9']).proxy?.port, 9);
  });
});

describe('-D properties', () => {
  test('values by type, in order; -D switches to MQTT 5', () => {
    const cfg = config('pub', [
      ...['-V', '311', '-D', 'publish', 'user-property', 'a', 'b'],
      ...['-D', 'PUBLISH', 'Message-Expiry-Interval', '30x'],
      ...['-D', 'publish', 'correlation-data', 'id'],
      ...['-D', 'publish', 'topic-alias', '2'],
    ]);
    assert.equal(cfg.protocolVersion, 5);
    assert.equal(cfg.haveTopicAlias, true);
    assert.deepEqual(
      cfg.properties.publish.map((p) => [p.name, p.value]),
      [
        ['user-property', ['a', 'b']],
        ['message-expiry-interval', 30],
        ['correlation-data', Buffer.from('id')],
        ['topic-alias', 2],
      ],
    );
  });

  test('-x adds the session expiry to CONNECT; a second one is a duplicate', () => {
    const cfg = config('sub', ['-t', 'a', '-V', '5', '-x', '60']);
    assert.deepEqual(
      cfg.properties.connect.map((p) => p.value),
      [60],
    );
    assert.equal(
      error('sub', [
        '-t',
        'a',
        '-i',
        'me',
        '-D',
        'connect',
        'session-expiry-interval',
        '1',
        '-x',
        '2',
      ]),
      'Error in CONNECT properties: Duplicate property in property list\n',
    );
  });
});

describe('modes and defaults', () => {
  test('midge_rr defaults to MQTT 5 and one message; midge_pub to 3.1.1', () => {
    const rr = config('rr', ['-t', 'a', '-e', 'b', '-m', 'x']);
    assert.deepEqual(
      [rr.protocolVersion, rr.msgCount, rr.pubMode],
      [5, 1, PubMode.Message],
    );
    assert.equal(config('pub', ['-t', 'a', '-l']).protocolVersion, 4);
    assert.equal(config('pub', ['-t', 'a']).host, 'localhost');
  });

  test('--help and --version stop the parse where they stand', () => {
    assert.deepEqual(load('pub', ['--help', '-q', '3']), { kind: 'help' });
    assert.deepEqual(load('sub', ['--version']), { kind: 'version' });
    assert.equal(load('pub', ['-q', '3', '--help']).kind, 'error');
  });
});

describe('help text', () => {
  test('entries line up after their flag; the text ends with a blank line', () => {
    const text = helpText('sub', '1.2.3');
    assert.match(text, /^midge_sub is /);
    assert.match(text, /\nmidge_sub version 1\.2\.3 running on Node\.js /);
    assert.match(text, /\n --will-payload : .+\n {18}\S/);
    assert.ok(text.endsWith('\n\n'));
  });
});
