/** Every row of the option table (and every alias) parses with a valid value. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPTION_TABLE, type OptionSpec, parseConfig } from '../../../src/config/index.js';

/** Values for rows whose kind does not say what a valid value looks like. */
const SAMPLES: Record<string, string> = {
  listener: '1890 127.0.0.1',
  port: '1890',
  include_dir: '/',
  persistent_client_expiration: '14d',
  log_dest: 'file /tmp/midge-test.log',
  'plugin_opt_*': 'value',
  plugin_load: 'dynsec /usr/lib/dynsec.so',
  plugin_use: 'dynsec',
  connection: 'other',
  address: 'broker.example:1884 10.0.0.2',
  topic: 'sensors/# both 1 local/ remote/',
  restart_timeout: '5 60',
  bridge_tcp_keepalive: '60 10 3',
  tls_engine_kpass_sha1: 'a'.repeat(40),
  max_packet_size: '1024',
  mount_point: 'tenant/',
  accept_protocol_versions: '4,5',
  enable_proxy_protocol: '2',
  retry_interval: '20',
  bridge_identity: 'id',
};

function sample(spec: OptionSpec): string {
  const given = SAMPLES[spec.name];
  if (given !== undefined) return given;
  switch (spec.kind) {
    case 'bool':
      return 'true';
    case 'int':
      return String(spec.min !== undefined && spec.min > 0 ? spec.min : 1);
    case 'enum':
    case 'list':
      return spec.values?.[0] ?? 'https://example.com';
    default:
      return '/tmp/value';
  }
}

/** The file around one option line, so it lands in the right section. */
function fileFor(spec: OptionSpec, line: string): string {
  const bridge = 'connection b\naddress 127.0.0.1:1884\ntopic a\n';
  const identity = spec.name === 'bridge_identity' ? 'bridge_psk 00ff\n' : '';
  const psk = spec.name === 'bridge_psk' ? 'bridge_identity id\n' : '';
  if (spec.name === 'connection') return `${line}\naddress h\ntopic a\n`;
  if (spec.name === 'address') return `connection b\n${line}\ntopic a\n`;
  switch (spec.scope) {
    case 'bridge':
      return `${bridge}${identity}${psk}${line}\n`;
    case 'plugin':
      return `plugin /p.so\n${line}\n`;
    default:
      if (spec.name === 'plugin_use')
        return `plugin_load dynsec /d.so\nlistener 1884\n${line}\n`;
      return `listener 1884\n${line}\n`;
  }
}

test('option table - every option and alias parses with a valid value', () => {
  let count = 0;
  for (const spec of OPTION_TABLE) {
    for (const name of [spec.name, ...spec.aliases]) {
      const option = name.endsWith('*') ? `${name.slice(0, -1)}key` : name;
      const text = fileFor(spec, `${option} ${sample(spec)}`);
      const c = parseConfig(text, 'table.conf');
      const found = c.directives.find((d) => d.option === option);
      assert.equal(found?.canonical, spec.name, text);
      count++;
    }
  }
  assert.equal(count, names().length);
});

function names(): string[] {
  return OPTION_TABLE.flatMap((spec) => [spec.name, ...spec.aliases]);
}

test('option table - has the undocumented aliases and the 2.1 additions', () => {
  const all = new Set(names());
  const expected = [
    'auth_plugin',
    'auth_opt_*',
    'maximum_qos',
    'retained_persistence',
    'clientid',
    'username',
    'password',
    'addresses',
    'retry_interval',
    'accept_protocol_versions',
    'enable_proxy_protocol',
    'proxy_protocol_v2_require_tls',
    'max_topic_alias_broker',
    'disable_client_cert_date_checks',
    'websockets_origin',
    'enable_control_api',
    'global_max_clients',
    'global_max_connections',
    'global_plugin',
    'bridge_max_topic_alias',
    'bridge_receive_maximum',
    'bridge_session_expiry_interval',
    'bridge_tcp_keepalive',
    'bridge_tcp_user_timeout',
    'bridge_reload_type',
    'bridge_tls_use_os_certs',
    'bridge_ciphers',
    'bridge_ciphers_tls1.3',
  ];
  assert.deepEqual(
    expected.filter((n) => !all.has(n)),
    [],
  );
  const since21 = OPTION_TABLE.filter((s) => s.since === '2.1').map((s) => s.name);
  assert.ok(since21.includes('global_plugin') && !since21.includes('plugin'));
});

test('option table - rows are complete and named once', () => {
  const names = new Set<string>();
  for (const spec of OPTION_TABLE) {
    for (const name of [spec.name, ...spec.aliases]) {
      assert.ok(!names.has(name), `${name} twice`);
      names.add(name);
    }
    assert.ok(spec.summary.length > 0, spec.name);
    assert.ok(spec.default.length > 0, spec.name);
    assert.ok(/^[a-z0-9_.*]+$/.test(spec.name), spec.name);
    assert.ok(spec.support === 'supported' || /^[a-z-]+$/.test(spec.support), spec.name);
  }
});
