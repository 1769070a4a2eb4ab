/**
 * Malformed lines and the exact "file:line: reason" each one gives. Each
 * case is a whole file; the error line is counted within it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../../src/config/index.js';

const L = 'listener 1884 127.0.0.1\n';
const B = 'connection b1\naddress 127.0.0.1:1885\n';

const cases: Array<[text: string, message: string]> = [
  ['bogus 1\n', 'm.conf:1: Unknown configuration variable "bogus".'],
  [
    'store_clean_interval 10\n',
    'm.conf:1: store_clean_interval was removed from Mosquitto and is refused',
  ],
  [
    '\uFEFFlistener 1884\n',
    'm.conf:1: the file starts with a byte-order mark; save it without one',
  ],
  [
    'allow_anonymous\ttrue\n',
    'm.conf:1: Unknown configuration variable "allow_anonymous\ttrue" (use spaces, not tabs).',
  ],
  [`${L}\t\n`, 'm.conf:2: Unknown configuration variable "\t" (use spaces, not tabs).'],
  [`${L}  # indented comment\n`, 'm.conf:2: a comment must start in the first column'],
  [
    'allow_anonymous yes\n',
    'm.conf:1: invalid allow_anonymous value "yes" (expected true or false)',
  ],
  [
    'allow_anonymous True\n',
    'm.conf:1: invalid allow_anonymous value "True" (expected true or false)',
  ],
  ['allow_anonymous\n', 'm.conf:1: missing value for allow_anonymous'],
  ['allow_anonymous   \n', 'm.conf:1: missing value for allow_anonymous'],
  ['max_inflight_messages\n', 'm.conf:1: missing value for max_inflight_messages'],
  [
    'max_inflight_messages abc\n',
    'm.conf:1: invalid max_inflight_messages value "abc" (expected a number)',
  ],
  [
    'max_inflight_messages 20x\n',
    'm.conf:1: invalid max_inflight_messages value "20x" (expected a number)',
  ],
  [
    'max_inflight_messages 70000\n',
    'm.conf:1: max_inflight_messages must be between 0 and 65535, not 70000',
  ],
  ['max_qos 3\n', 'm.conf:1: max_qos must be between 0 and 2, not 3'],
  ['maximum_qos -1\n', 'm.conf:1: maximum_qos must be between 0 and 2, not -1'],
  [
    'max_keepalive 65536\n',
    'm.conf:1: max_keepalive must be between 0 and 65535, not 65536',
  ],
  ['max_packet_size 0\n', 'm.conf:1: max_packet_size must be at least 20, not 0'],
  [
    'message_size_limit 268435456\n',
    'm.conf:1: message_size_limit must be between 0 and 268435455, not 268435456',
  ],
  [
    'sys_interval 70000\n',
    'm.conf:1: sys_interval must be between 0 and 65535, not 70000',
  ],
  ['memory_limit -1\n', 'm.conf:1: memory_limit must be at least 0, not -1'],
  ['log_facility 8\n', 'm.conf:1: log_facility must be between 0 and 7, not 8'],
  [
    `${L}max_topic_alias 65536\n`,
    'm.conf:2: max_topic_alias must be between 0 and 65535, not 65536',
  ],
  [`${L}max_topic_alias\n`, 'm.conf:2: missing value for max_topic_alias'],
  ['password_file /a\npassword_file /b\n', 'm.conf:2: duplicate password_file value'],
  [
    'log_dest file /tmp/a.log\nlog_dest file /tmp/b.log\n',
    'm.conf:2: duplicate "log_dest file" value',
  ],
  ['log_dest file\n', 'm.conf:1: missing file name after "log_dest file"'],
  [
    'log_dest bogus\n',
    'm.conf:1: invalid log_dest value "bogus"' +
      ' (expected stdout, stderr, syslog, topic, file, dlt, android, none)',
  ],
  [
    'log_type bogus\n',
    'm.conf:1: invalid log_type value "bogus"' +
      ' (expected debug, error, warning, notice, information, subscribe,' +
      ' unsubscribe, websockets, internal, none, all)',
  ],
  [
    'persistent_client_expiration 5\n',
    'm.conf:1: invalid persistent_client_expiration "5"' +
      ' (expected a positive number followed by h, d, w, m or y)',
  ],
  [
    'persistent_client_expiration 0d\n',
    'm.conf:1: invalid persistent_client_expiration "0d"' +
      ' (expected a positive number followed by h, d, w, m or y)',
  ],
  ['plugin_opt_abc 1\n', 'm.conf:1: plugin_opt_abc must follow a "plugin" line'],
  [
    'auth_plugin_deny_special_chars false\n',
    'm.conf:1: auth_plugin_deny_special_chars must follow a "plugin" line',
  ],
  [
    'plugin /p.so\nplugin_opt_ab 1\n',
    'm.conf:2: plugin option name "ab" is too short (3 characters at least)',
  ],
  ['plugin /p.so\nplugin_opt_abc\n', 'm.conf:2: missing value for plugin_opt_abc'],
  [
    'password_file /a\nper_listener_settings true\n',
    'm.conf:2: per_listener_settings must come before every other security option',
  ],
  [
    'check_retain_source true\nper_listener_settings true\n',
    'm.conf:2: per_listener_settings must come before every other security option',
  ],
  ['listener\n', 'm.conf:1: missing value for listener'],
  ['listener 0\n', 'm.conf:1: a listener on port 0 needs a Unix socket path'],
  ['listener 70000\n', 'm.conf:1: listener port must be between 0 and 65535, not 70000'],
  ['listener abc\n', 'm.conf:1: invalid listener value "abc" (expected a number)'],
  ['port 0\n', 'm.conf:1: port must be between 1 and 65535, not 0'],
  ['mount_point a/\n', 'm.conf:1: mount_point needs a "listener" line before it'],
  [`${L}mount_point a/#\n`, 'm.conf:2: mount_point "a/#" must not contain + or #'],
  [
    `${L}socket_domain ipv5\n`,
    'm.conf:2: invalid socket_domain value "ipv5" (expected ipv4, ipv6)',
  ],
  [
    `${L}protocol mqttsn\n`,
    'm.conf:2: invalid protocol value "mqttsn" (expected mqtt or websockets)',
  ],
  [
    'accept_protocol_versions 4\n',
    'm.conf:1: accept_protocol_versions needs a "listener" line before it',
  ],
  [
    `${L}accept_protocol_versions 4,6\n`,
    'm.conf:2: invalid accept_protocol_versions value "6" (expected 3, 4 or 5)',
  ],
  [
    `${L}psk_hint h\ncertfile /c\n`,
    'm.conf:3: a listener cannot use both certificates and PSK',
  ],
  [
    `${L}tls_engine_kpass_sha1 zz\n`,
    'm.conf:2: tls_engine_kpass_sha1 must be 40 hexadecimal digits',
  ],
  ['address 127.0.0.1\n', 'm.conf:1: address must follow a "connection" line'],
  ['topic a\n', 'm.conf:1: topic must follow a "connection" line'],
  ['connection\n', 'm.conf:1: missing value for connection'],
  ['connection b1\n', 'm.conf:1: bridge "b1" has no address'],
  [B, 'm.conf:1: bridge "b1" has no topic'],
  [`${B}topic a\nconnection b1\n`, 'm.conf:4: duplicate bridge name "b1"'],
  [`${B}address 127.0.0.1:1886\n`, 'm.conf:3: a bridge takes one address line'],
  [
    'connection b1\naddress 127.0.0.1:0\n',
    'm.conf:2: bridge address port must be between 1 and 65535, not 0',
  ],
  [
    'connection b1\naddress host:abc\n',
    'm.conf:2: invalid bridge address port value "abc" (expected a number)',
  ],
  [`${B}topic\n`, 'm.conf:3: missing value for topic'],
  [
    `${B}topic a/# sideways\n`,
    'm.conf:3: invalid bridge topic direction "sideways" (expected in, out or both)',
  ],
  [`${B}topic a/# both 3\n`, 'm.conf:3: bridge topic QoS must be 0, 1 or 2, not 3'],
  [
    `${B}topic "" in 1 "" ""\n`,
    'm.conf:3: a bridge topic "" needs both a local and a remote prefix',
  ],
  [
    `${B}topic "" in 1 loc/\n`,
    'm.conf:3: a bridge topic "" needs both a local and a remote prefix',
  ],
  [
    `${B}topic x in 1 lo+c/ rem/\n`,
    'm.conf:3: bridge topic local prefix "lo+c/" must not contain + or #',
  ],
  [
    `${B}topic x in 1 loc/ re#m/\n`,
    'm.conf:3: bridge topic remote prefix "re#m/" must not contain + or #',
  ],
  [`${B}topic a/#/b in\n`, 'm.conf:3: invalid bridge topic pattern "a/#/b"'],
  [
    `${B}topic a\nrestart_timeout 10 5\n`,
    'm.conf:4: restart_timeout: the cap is lower than the base',
  ],
  [
    `${B}topic a\nkeepalive_interval 70000\n`,
    'm.conf:4: keepalive_interval must be at most 65535, not 70000',
  ],
  [`${B}topic a\nstart_type manual\n`, 'm.conf:4: start_type manual is not supported'],
  [
    `${B}topic a\nstart_type bogus\n`,
    'm.conf:4: invalid start_type value "bogus" (expected automatic, lazy or once)',
  ],
  [
    `${B}topic a\nbridge_protocol_version mqttv5\n`,
    'm.conf:4: invalid bridge_protocol_version value "mqttv5"' +
      ' (expected mqttv31, mqttv311, mqttv50)',
  ],
  [
    `${B}topic a\nbridge_protocol_version mqttv50 # c\n`,
    'm.conf:4: invalid bridge_protocol_version value "mqttv50 # c"' +
      ' (expected mqttv31, mqttv311, mqttv50)',
  ],
  [
    `${B}topic a\nusername u\nremote_username v\n`,
    'm.conf:5: duplicate remote_username value',
  ],
  [
    `${B}topic a\nbridge_cafile /ca\nbridge_identity id\n`,
    'm.conf:5: a bridge cannot use both certificates and PSK',
  ],
  [
    `${B}topic a\nbridge_identity id\n`,
    'm.conf:1: bridge "b1" has bridge_identity but no bridge_psk',
  ],
  [
    `${B}topic a\nbridge_psk abcd\n`,
    'm.conf:1: bridge "b1" has bridge_psk but no bridge_identity',
  ],
  [
    `${B}topic a\nbridge_receive_maximum 0\n`,
    'm.conf:4: bridge_receive_maximum must be between 1 and 65535, not 0',
  ],
  [
    `${B}topic a\nbridge_tcp_keepalive 10 5\n`,
    'm.conf:4: missing value for bridge_tcp_keepalive counter',
  ],
  [
    `${B}topic a\nbridge_tcp_keepalive 10 0 3\n`,
    'm.conf:4: bridge_tcp_keepalive interval must be above 0, not 0',
  ],
  [
    `${B}topic a\nbridge_tcp_keepalive 10 5 128\n`,
    'm.conf:4: bridge_tcp_keepalive counter must be at most 127, not 128',
  ],
  [
    `${B}topic a\nbridge_tcp_keepalive 32768 5 3\n`,
    'm.conf:4: bridge_tcp_keepalive idle must be at most 32767, not 32768',
  ],
  [
    `${B}topic a\nbridge_tcp_keepalive 10 1.5 3\n`,
    'm.conf:4: invalid bridge_tcp_keepalive interval value "1.5" (expected a number)',
  ],
  [
    `${B}topic a\nbridge_tcp_user_timeout 4294967296\n`,
    'm.conf:4: bridge_tcp_user_timeout must be between 0 and 2147483647, not 4294967296',
  ],
  [
    `${B}topic a\nbridge_tcp_user_timeout -1\n`,
    'm.conf:4: bridge_tcp_user_timeout must be between 0 and 2147483647, not -1',
  ],
  ['include_dir\n', 'm.conf:1: missing value for include_dir'],
  [
    'include_dir /nonexistent/midge-test\n',
    'm.conf:1: cannot open include_dir "/nonexistent/midge-test"',
  ],
  [
    'plugin_use nothere\n',
    'm.conf:1: plugin_use names "nothere", not loaded by plugin_load',
  ],
];

test('config errors - each malformed file fails with file:line: reason', () => {
  for (const [text, message] of cases) {
    assert.throws(
      () => parseConfig(text, 'm.conf'),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError, `${JSON.stringify(text)} threw ${error}`);
        assert.equal(error.message, message, JSON.stringify(text));
        assert.equal(`${error.file}:${error.line}: ${error.reason}`, message);
        return true;
      },
      JSON.stringify(text),
    );
  }
});
