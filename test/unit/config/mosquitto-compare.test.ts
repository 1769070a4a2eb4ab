/**
 * Small config files fed to Debian's mosquitto 2.0.11 and to midge's
 * parser. Each case records what mosquitto does (accept, or reject with
 * exit code 3) and what midge does; where they differ on purpose the case
 * says why, and the test checks mosquitto still behaves as recorded.
 * Skipped when /usr/sbin/mosquitto is not installed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/index.js';
import { freePort } from '../../helpers/broker.js';

const MOSQUITTO = '/usr/sbin/mosquitto';
/** Mosquitto exits with 3 (MOSQ_ERR_INVAL) when it refuses its config. */
const CONFIG_REJECTED = 3;
/** A broker still running after this long has accepted its config. */
const SETTLE_MS = 400;

interface Case {
  /** Lines after `listener PORT 127.0.0.1`; PORT in them is replaced. */
  body: string;
  mosquitto: boolean;
  midge: boolean;
  /** Why midge differs, when it does. */
  why?: string;
}

const ok = (body: string): Case => ({ body, mosquitto: true, midge: true });
const bad = (body: string): Case => ({ body, mosquitto: false, midge: false });
const BRIDGE = 'connection b\naddress 127.0.0.1:PORT\nstart_type lazy\n';

const cases: Case[] = [
  ok('# comment\r\nallow_anonymous true\r\n'),
  ok('   \n  allow_anonymous    true\n'),
  ok('allow_anonymous 1\nretain_available 0'),
  ok('allow_anonymous true extra words'),
  ok('max_inflight_messages 20 # twenty'),
  ok('max_inflight_messages -5'),
  ok('listener PORT1 127.0.0.1 # second'),
  ok('retry_interval 10'),
  ok('clientid_prefixes abc'),
  ok('log_dest topic extra'),
  ok('log_type internal\nlog_type websockets'),
  ok('max_topic_alias 0'),
  ok('max_packet_size 20'),
  ok('mount_point a/'),
  ok('tls_keyform whatever'),
  ok('persistent_client_expiration 1y'),
  ok(`${BRIDGE}topic a/# both 2 # comment`),
  ok(`${BRIDGE}topic a IN 1 "" remote/`),
  ok(`${BRIDGE}topic "" in 1 loc/ rem/`),
  ok(`${BRIDGE}topic a\nrestart_timeout 0`),
  ok(`${BRIDGE}topic a\nkeepalive_interval 2\nthreshold 0\nidle_timeout 0`),
  ok(`${BRIDGE}topic a\nclientid x\nusername u\npassword p`),
  bad('allow_anonymous yes'),
  bad('allow_anonymous True'),
  bad('allow_anonymous'),
  bad('allow_anonymous\ttrue'),
  bad('\t'),
  bad(' # indented comment'),
  bad('bogus 1'),
  bad('store_clean_interval 10'),
  bad('max_qos 3'),
  bad('max_packet_size 0'),
  bad('max_keepalive 70000'),
  bad('sys_interval 70000'),
  bad('message_size_limit 268435456'),
  bad('max_topic_alias'),
  bad('socket_domain ipv5'),
  bad('mount_point a/#'),
  bad('log_dest bogus'),
  bad('log_type bogus'),
  bad('log_dest file'),
  bad('persistent_client_expiration 5'),
  bad('password_file /a\npassword_file /b'),
  bad('password_file /a\nper_listener_settings true'),
  bad('plugin_opt_abc 1'),
  bad('listener 0'),
  bad('listener 70000'),
  bad('address 127.0.0.1'),
  bad(`${BRIDGE}topic a/# sideways`),
  bad(`${BRIDGE}topic a/# both 3`),
  bad(`${BRIDGE}topic "" in 1 "" ""`),
  bad(`${BRIDGE}topic x in 1 lo+c/ rem/`),
  bad(`${BRIDGE}topic a\nrestart_timeout 10 5`),
  bad(`${BRIDGE}topic a\nstart_type manual`),
  bad(`${BRIDGE}topic a\nbridge_protocol_version mqttv5`),
  bad(`${BRIDGE}topic a\nconnection b`),
  bad(`${BRIDGE}topic a\nbridge_identity id`),
  bad('connection b'),
  {
    body: 'max_inflight_messages abc',
    mosquitto: true,
    midge: false,
    why: 'Mosquitto reads a non-number as 0; midge refuses it',
  },
  {
    body: `${BRIDGE}topic a/#/b in`,
    mosquitto: true,
    midge: false,
    why: 'midge checks bridge topic patterns when reading the file',
  },
  {
    body: 'accept_protocol_versions 4,5',
    mosquitto: false,
    midge: true,
    why: 'a 2.1 option, unknown to 2.0.11',
  },
];

/** Runs mosquitto on `text`; true if it did not refuse the config. */
function mosquittoAccepts(text: string, dir: string, name: string): Promise<boolean> {
  const file = join(dir, `${name}.conf`);
  writeFileSync(file, text);
  return new Promise((resolve, reject) => {
    const child = spawn(MOSQUITTO, ['-c', file], { cwd: dir, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), SETTLE_MS);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code !== CONFIG_REJECTED);
    });
  });
}

function midgeAccepts(text: string): boolean {
  try {
    parseConfig(text, 'case.conf');
    return true;
  } catch {
    return false;
  }
}

test('mosquitto comparison - accept/reject of small files', {
  skip: !existsSync(MOSQUITTO) && 'mosquitto is not installed',
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-compare-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const results = await Promise.all(
    cases.map(async (c, i) => {
      const [port, port1] = [await freePort(), await freePort()];
      const body = c.body
        .replaceAll('PORT1', String(port1))
        .replaceAll('PORT', String(port));
      const text = `listener ${port} 127.0.0.1\n${body}\n`;
      return { c, text, mosquitto: await mosquittoAccepts(text, dir, `case${i}`) };
    }),
  );
  for (const { c, text, mosquitto } of results) {
    assert.equal(mosquitto, c.mosquitto, `mosquitto on ${JSON.stringify(text)}`);
    assert.equal(midgeAccepts(text), c.midge, `midge on ${JSON.stringify(text)}`);
    assert.equal(
      c.mosquitto === c.midge,
      c.why === undefined,
      'a difference needs a reason',
    );
  }
});
