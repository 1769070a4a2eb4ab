/** The broker's flags, and errors worded as Mosquitto 2.0.11 words them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandLineError, parseCommandLine, usage } from '../../../src/config/index.js';

test('command line - no arguments', () => {
  assert.deepEqual(parseCommandLine([]), {
    configFile: null,
    daemon: false,
    ports: [],
    verbose: false,
    quiet: false,
    help: false,
    testConfig: false,
    tlsKeylog: null,
  });
});

test('command line - short and long forms', () => {
  const short = parseCommandLine([
    '-c',
    'a.conf',
    '-d',
    '-p',
    '1884',
    '-p',
    '1885',
    '-v',
    '-q',
  ]);
  const long = parseCommandLine([
    '--config-file',
    'a.conf',
    '--daemon',
    '--port',
    '1884',
    '--port',
    '1885',
    '--verbose',
    '--quiet',
  ]);
  assert.deepEqual(short, long);
  assert.equal(short.configFile, 'a.conf');
  assert.deepEqual(short.ports, [1884, 1885]);
  assert.ok(short.daemon && short.verbose && short.quiet);
  const more = parseCommandLine(['--test-config', '--tls-keylog', '/tmp/keys']);
  assert.equal(more.testConfig, true);
  assert.equal(more.tlsKeylog, '/tmp/keys');
});

test('command line - -h stops at once, even before a bad option', () => {
  assert.equal(parseCommandLine(['-h', '--bogus']).help, true);
  assert.equal(parseCommandLine(['--help']).help, true);
});

test("command line - errors in Mosquitto's words", () => {
  const cases: Array<[string[], string, boolean]> = [
    [['--bogus'], "Error: Unknown option '--bogus'.", true],
    [['extra'], "Error: Unknown option 'extra'.", true],
    [['-p'], 'Error: -p argument given, but no port specified.', false],
    [['-p', '1883', '-p'], 'Error: -p argument given, but no port specified.', false],
    [['-p', '0'], 'Error: Invalid port specified (0).', false],
    [['-p', '-1'], 'Error: Invalid port specified (-1).', false],
    [['-p', '70000'], 'Error: Invalid port specified (70000).', false],
    [['-p', 'abc'], 'Error: Invalid port specified (abc).', false],
    [['-c'], 'Error: -c argument given, but no config file specified.', false],
    [['-d', '-c'], 'Error: -c argument given, but no config file specified.', false],
    [
      ['--tls-keylog'],
      'Error: --tls-keylog argument given, but no file specified.',
      false,
    ],
  ];
  for (const [argv, message, showUsage] of cases) {
    assert.throws(
      () => parseCommandLine(argv),
      (e: unknown) => {
        assert.ok(e instanceof CommandLineError);
        assert.equal(e.message, message, argv.join(' '));
        assert.equal(e.showUsage, showUsage, argv.join(' '));
        return true;
      },
    );
  }
});

test('command line - at most 10 ports', () => {
  const ten = Array.from({ length: 10 }, (_, i) => ['-p', String(2000 + i)]).flat();
  assert.equal(parseCommandLine(ten).ports.length, 10);
  assert.throws(() => parseCommandLine([...ten, '-p', '3000']), {
    message: 'Error: Only 10 ports can be specified on the command line.',
  });
});

test('usage - laid out as mosquitto -h, naming midge and every flag', () => {
  const text = usage('1.2.3');
  const lines = text.split('\n');
  assert.equal(lines[0], 'midge version 1.2.3');
  assert.equal(lines[2], 'midge is an MQTT v5.0/v3.1.1/v3.1 broker.');
  assert.match(lines[4]!, /^Usage: midge \[-c config_file\] \[-d\] \[-h\] \[-p port\]/);
  for (const flag of [
    '-c',
    '-d',
    '-h',
    '-p',
    '-q',
    '-v',
    '--test-config',
    '--tls-keylog',
  ]) {
    assert.ok(
      lines.some((l) => l.startsWith(` ${flag} : `)),
      flag,
    );
  }
  assert.ok(!/mosquitto/i.test(text));
  assert.ok(lines.every((l) => l.length <= 80));
});
