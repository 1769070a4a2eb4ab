/**
 * How lines are read (comments, CRLF, spaces, inline comments), aliases,
 * sections, the default listener and allow_anonymous.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  defaultConfig,
  listenerSettings,
  parseConfig,
} from '../../../src/config/index.js';

const parse = (text: string) => parseConfig(text, 't.conf');

test('config lines - comments, blank lines, CRLF, leading and repeated spaces', () => {
  const c = parse(
    '# comment\r\n\r\n   \r\n  max_inflight_messages    7\r\nallow_anonymous true\r\n',
  );
  assert.equal(c.maxInflightMessages, 7);
  assert.equal(c.security.allowAnonymous, true);
  assert.deepEqual(
    c.directives.map((d) => [d.option, d.line]),
    [
      ['max_inflight_messages', 4],
      ['allow_anonymous', 5],
    ],
  );
});

test('config lines - a last line without a newline is read', () => {
  assert.equal(parse('max_queued_messages 5').maxQueuedMessages, 5);
});

test('config lines - inline comments after numbers and addresses are ignored', () => {
  const c = parse(
    'max_queued_messages 50 # fifty\nlistener 1884 127.0.0.1 # local\n' +
      'connection b\naddress 10.0.0.1:1885 10.0.0.2 # two\ntopic a/# in 1 # note\n',
  );
  assert.equal(c.maxQueuedMessages, 50);
  assert.equal(c.listeners[0]!.bindAddress, '127.0.0.1');
  assert.deepEqual(c.bridges[0]!.addresses, [
    { host: '10.0.0.1', port: 1885 },
    { host: '10.0.0.2', port: 1883 },
  ]);
  assert.equal(c.bridges[0]!.topics[0]!.qos, 1);
  assert.equal(c.bridges[0]!.topics[0]!.localPrefix, null);
});

test('config lines - a # after a string value is part of the value', () => {
  const c = parse('password_file /etc/pw # not a comment\nauto_id_prefix  id-   \n');
  assert.equal(c.security.passwordFile, '/etc/pw # not a comment');
  assert.equal(c.security.autoIdPrefix, 'id-');
});

test('config lines - log_dest file keeps trailing blanks, paths are trimmed', () => {
  const c = parse('log_dest file /tmp/m.log  \npersistence_location /var/lib/m/  \n');
  assert.equal(c.logFile, '/tmp/m.log  ');
  assert.equal(c.persistenceLocation, '/var/lib/m/');
});

test('config values - booleans are true, false, 1 or 0; extra words ignored', () => {
  const c = parse(
    'retain_available 0\nqueue_qos0_messages 1\nset_tcp_nodelay true extra\n',
  );
  assert.equal(c.retainAvailable, false);
  assert.equal(c.queueQos0Messages, true);
  assert.equal(c.setTcpNodelay, true);
});

test('config values - set_tcp_nodelay is on unless the file turns it off', () => {
  assert.equal(parse('listener 1883\n').setTcpNodelay, true);
  assert.equal(parse('set_tcp_nodelay false\n').setTcpNodelay, false);
});

test('config values - negative limits mean "none" as in Mosquitto', () => {
  const c = parse(
    'max_inflight_messages -1\nmax_queued_messages -5\nautosave_interval -1\n' +
      'listener 1884\nmax_connections -7\n',
  );
  assert.equal(c.maxInflightMessages, 0);
  assert.equal(c.maxQueuedMessages, 0);
  assert.equal(c.autosaveInterval, 0);
  assert.equal(c.listeners[0]!.maxConnections, -1);
  assert.equal(parse('max_inflight_messages 65535\n').maxInflightMessages, 0);
});

test('config values - persistent_client_expiration units', () => {
  const seconds = (v: string) =>
    parse(`persistent_client_expiration ${v}\n`).persistentClientExpiration;
  assert.equal(seconds('2h'), 7200);
  assert.equal(seconds('1d'), 86400);
  assert.equal(seconds('2w'), 14 * 86400);
  assert.equal(seconds('1m'), 30 * 86400);
  assert.equal(seconds('1y'), 365 * 86400);
  assert.equal(parse('').persistentClientExpiration, 0);
});

test('config warnings - deprecated and clamped values warn with file:line', () => {
  const c = parse(
    'port 1884\nbind_address 127.0.0.1\nretry_interval 20\nclientid_prefixes x\n' +
      'allow_duplicate_messages true\nlog_type\nmax_connections\n',
  );
  assert.deepEqual(
    c.warnings.map((w) => `${w.file}:${w.line}`),
    ['t.conf:1', 't.conf:2', 't.conf:3', 't.conf:4', 't.conf:5', 't.conf:6', 't.conf:7'],
  );
  assert.match(c.warnings[0]!.message, /port is deprecated/);
  assert.match(c.warnings[2]!.message, /retry_interval/);
});

test('config aliases - undocumented names map to their options', () => {
  const c = parse(
    'retained_persistence true\nauth_plugin /p.so\nauth_opt_db_host h\n' +
      'listener 1884\nmaximum_qos 1\n' +
      'connection b\naddresses h\ntopic a\nclientid rc\nusername ru\npassword rp\n',
  );
  assert.equal(c.persistence, true);
  assert.deepEqual(c.plugins[0]!.options, [['db_host', 'h']]);
  assert.equal(c.listeners[0]!.maxQos, 1);
  const b = c.bridges[0]!;
  assert.deepEqual(
    [b.remoteClientId, b.remoteUsername, b.remotePassword],
    ['rc', 'ru', 'rp'],
  );
  assert.equal(c.sourceOf('persistence')?.line, 1);
  assert.equal(c.sourceOf('retained_persistence')?.line, 1);
});

test('config plugins - options in order, deny_special_chars, per plugin', () => {
  const c = parse(
    'plugin /a.so\nplugin_opt_one 1\nplugin_opt_two 2 words\n' +
      'auth_plugin_deny_special_chars false\nplugin /b.so\nplugin_opt_three 3\n',
  );
  assert.deepEqual(
    c.plugins.map((p) => [p.path, p.options, p.denySpecialChars]),
    [
      [
        '/a.so',
        [
          ['one', '1'],
          ['two', '2 words'],
        ],
        false,
      ],
      ['/b.so', [['three', '3']], true],
    ],
  );
});

test('config logging - log_dest and log_type accumulate, none clears', () => {
  let c = parse(
    'log_dest stdout\nlog_dest file /tmp/l.log\nlog_type error\nlog_type debug\n',
  );
  assert.deepEqual(c.logDest, ['stdout', 'file']);
  assert.deepEqual(c.logType, ['error', 'debug']);
  c = parse(
    'log_dest stdout\nlog_dest none\nlog_type all\nlog_type none\nlog_type warning\n',
  );
  assert.deepEqual(c.logDest, []);
  assert.deepEqual(c.logType, ['warning']);
  c = parse('log_dest topic extra words\n');
  assert.deepEqual(c.logDest, ['topic']);
  assert.deepEqual(parse('').logDest, ['stderr']);
});

test('config logging - log_type inside a bridge section sets the global types', () => {
  const c = parse('connection b\naddress h\ntopic a\nlog_type subscribe\n');
  assert.deepEqual(c.logType, ['subscribe']);
});

test('default listener - none when only listener lines are used', () => {
  const c = parse('listener 1884\nlistener 1885 ::1\n');
  assert.deepEqual(
    c.listeners.map((l) => [l.port, l.bindAddress, l.isDefault]),
    [
      [1884, null, false],
      [1885, '::1', false],
    ],
  );
  assert.equal(c.localOnly, false);
});

test('default listener - port and bind_address make it, after the listeners', () => {
  const c = parse('listener 1884\nport 1886\nbind_address 127.0.0.1\n');
  assert.deepEqual(
    c.listeners.map((l) => [l.port, l.bindAddress, l.isDefault]),
    [
      [1884, null, false],
      [1886, '127.0.0.1', true],
    ],
  );
  assert.equal(c.listeners[1]!.source?.line, 2);
});

test('default listener - options before the first listener make it on 1883', () => {
  const c = parse('max_qos 1\nlistener 1884\nmax_qos 0\n');
  const [explicit, dflt] = c.listeners;
  assert.equal(explicit!.maxQos, 0);
  assert.deepEqual(
    [dflt!.port, dflt!.bindAddress, dflt!.maxQos, dflt!.isDefault],
    [1883, null, 1, true],
  );
});

test('default listener - max_topic_alias alone does not make it (Mosquitto rule)', () => {
  const c = parse('max_topic_alias 5\nlistener 1884\n');
  assert.equal(c.listeners.length, 1);
});

test('default listener - no listener at all: 1883 on loopback, anonymous allowed', () => {
  for (const c of [parse('max_inflight_messages 5\n'), defaultConfig()]) {
    assert.equal(c.localOnly, true);
    assert.deepEqual(
      c.listeners.map((l) => [l.port, l.bindAddress, l.isDefault]),
      [[1883, 'localhost', true]],
    );
    assert.equal(c.security.allowAnonymous, true);
  }
  assert.equal(defaultConfig().file, null);
});

test('allow_anonymous - false by default once a listener is configured', () => {
  assert.equal(parse('listener 1884\n').security.allowAnonymous, false);
  assert.equal(
    parse('listener 1884\nallow_anonymous true\n').security.allowAnonymous,
    true,
  );
});

test('per_listener_settings - security options follow the listener sections', () => {
  const c = parse(
    'per_listener_settings true\nlistener 1884\nallow_anonymous true\n' +
      'password_file /pw1\nlistener 1885\npassword_file /pw2\nacl_file /acl2\n' +
      'auto_id_prefix l2-\nplugin /p.so\nplugin_opt_key v\n',
  );
  const [a, b] = c.listeners;
  assert.equal(c.perListenerSettings, true);
  assert.deepEqual(
    [a!.security.allowAnonymous, a!.security.passwordFile],
    [true, '/pw1'],
  );
  assert.deepEqual(
    [b!.security.allowAnonymous, b!.security.passwordFile, b!.security.aclFile],
    [false, '/pw2', '/acl2'],
  );
  assert.equal(b!.security.autoIdPrefix, 'l2-');
  assert.equal(b!.security.plugins[0]!.options[0]![1], 'v');
  assert.equal(c.security.passwordFile, null);
  assert.equal(c.plugins.length, 0);
});

test('per_listener_settings - without it the same lines are broker-wide', () => {
  const c = parse(
    'listener 1884\nallow_anonymous true\nlistener 1885\npassword_file /pw\n',
  );
  assert.deepEqual([c.security.allowAnonymous, c.security.passwordFile], [true, '/pw']);
  assert.equal(c.listeners[1]!.security.passwordFile, null);
});

test('per_listener_settings - once true it stays true', () => {
  const c = parse(
    'per_listener_settings true\nper_listener_settings false\nlistener 1884\n',
  );
  assert.equal(c.perListenerSettings, true);
});

test('listeners - unix socket, localhost, protocol and per-listener options', () => {
  const c = parse(
    'listener 0 /run/m.sock\nlistener 1884 localhost\nprotocol websockets\n' +
      'socket_domain ipv4\nmount_point site/\nuse_username_as_clientid true\n' +
      'max_connections 10\naccept_protocol_versions 4, 5\nhttp_dir /www\n',
  );
  const [unix, ws] = c.listeners;
  assert.deepEqual(
    [unix!.port, unix!.unixSocketPath, unix!.bindAddress],
    [0, '/run/m.sock', null],
  );
  assert.equal(ws!.bindAddress, 'localhost');
  assert.equal(ws!.protocol, 'websockets');
  assert.equal(ws!.socketDomain, 'ipv4');
  assert.equal(ws!.mountPoint, 'site/');
  assert.equal(ws!.useUsernameAsClientId, true);
  assert.equal(ws!.maxConnections, 10);
  assert.deepEqual(ws!.acceptProtocolVersions, [4, 5]);
  assert.equal(ws!.httpDir, '/www');
});

test('bridges - topic lines, prefixes, restart_timeout forms, defaults', () => {
  const c = parse(
    'connection one\naddress broker.example:8883\ntopic # both 2 "" remote/\n' +
      'topic "" in 1 local/x remote/x\ntopic t OUT\nrestart_timeout 20\n' +
      'connection two\naddress [::1]:1883\ntopic a\nrestart_timeout 2 60\n' +
      'remote_clientid r2\nkeepalive_interval 1\n',
  );
  const [one, two] = c.bridges;
  assert.deepEqual(
    one!.topics.map((t) => [
      t.pattern,
      t.direction,
      t.qos,
      t.localPrefix,
      t.remotePrefix,
    ]),
    [
      ['#', 'both', 2, null, 'remote/'],
      ['', 'in', 1, 'local/x', 'remote/x'],
      ['t', 'out', 0, null, null],
    ],
  );
  assert.equal(one!.restartTimeout, 20);
  assert.deepEqual(
    [two!.restartTimeout, two!.backoffBase, two!.backoffCap],
    [null, 2, 60],
  );
  assert.deepEqual(two!.addresses, [{ host: '[::1]', port: 1883 }]);
  assert.equal(two!.localClientId, 'local.r2');
  assert.equal(two!.keepaliveInterval, 5);
  assert.match(one!.remoteClientId!, /\.one$/);
  assert.equal(c.warnings.length, 1);
});

test('per_listener_settings gives each listener its own client-id rules', () => {
  const config = parseConfig(
    [
      'per_listener_settings true',
      'listener 1883 127.0.0.1',
      'allow_zero_length_clientid false',
      'listener 1884 127.0.0.1',
      'auto_id_prefix other-',
      '',
    ].join('\n'),
    'pl.conf',
  );
  const [first, second] = config.listeners.map((l) => listenerSettings(l, config));
  assert.equal(first?.allowZeroLengthClientId, false);
  assert.equal(second?.allowZeroLengthClientId, true);
  assert.equal(second?.autoIdPrefix, 'other-');
  const global = parseConfig('listener 1883\nauto_id_prefix x-\n', 'g.conf');
  assert.equal(listenerSettings(global.listeners[0]!, global).autoIdPrefix, undefined);
});
