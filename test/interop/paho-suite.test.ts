/**
 * Runs test/interop/paho/paho_suite.py (Debian's python3-paho-mqtt 1.6) against
 * three brokers: a plain one, one with an ACL file and one with lowered
 * limits. The script prints `PASS name` or `FAIL name: why` per case; each
 * case becomes one test here, so a failure names the case and its reason.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { type RunningBroker, startBroker, useMosquitto } from '../helpers/broker.js';

const script = new URL('./paho/paho_suite.py', import.meta.url).pathname;
const aclFile = new URL('./paho/nosubscribe.acl', import.meta.url).pathname;

const bothVersions = [
  'basic',
  'retained_message',
  'offline_message_queueing',
  'will_message',
  'zero_length_clientid',
  'overlapping_subscriptions',
  'keepalive',
  'redelivery_on_reconnect',
  'subscribe_failure',
  'dollar_topics',
  'unsubscribe',
];
const v5Only = [
  'session_expiry',
  'user_properties',
  'payload_format',
  'message_expiry',
  'subscribe_no_local',
  'subscribe_retain_as_published',
  'subscribe_retain_handling',
  'assigned_clientid',
  'subscription_identifiers',
  'request_response',
  'client_topic_alias',
  'server_topic_alias',
  'maximum_packet_size_server',
  'maximum_packet_size_client',
  'server_keep_alive',
  'flow_control_client',
  'flow_control_server',
  'will_delay',
  'will_delay_session_ends',
  'will_delay_no_session',
  'shared_subscriptions',
];
const cases = [
  ...bothVersions.flatMap((name) => [`v311_${name}`, `v5_${name}`]),
  ...v5Only.map((name) => `v5_${name}`),
];

/**
 * Where Debian's mosquitto 2.0.11 itself breaks the specification. Against
 * it these cases are reported as "todo"; against midge they must pass.
 */
const mosquittoDeviations: Record<string, string> = {
  v311_overlapping_subscriptions:
    'Mosquitto 2.0.11 sends one copy at QoS 1 for QoS 2 + QoS 1 overlapping ' +
    'subscriptions of a 3.1.1 client [MQTT-3.3.5-1]',
  v5_will_delay_no_session:
    'Mosquitto 2.0.11 waits for the will delay although the session (expiry 0) ' +
    'ended at disconnection [MQTT-3.1.2-8]',
};

/** Debian's python3 has paho; a python3 earlier on PATH (pyenv) may not. */
function findPython(): string | undefined {
  return ['/usr/bin/python3', 'python3'].find(
    (python) => spawnSync(python, ['-c', 'import paho.mqtt.client']).status === 0,
  );
}

interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runScript(python: string, args: string[], ms: number): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const child = spawn(python, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${ms} ms)`;
      child.kill('SIGKILL');
    }, ms);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const python = findPython();
const skip = python ? false : 'python3 with paho-mqtt (python3-paho-mqtt) not found';
const brokers: RunningBroker[] = [];
let run: ScriptRun = { status: null, stdout: '', stderr: '' };
const results = new Map<string, string>();
const notes = new Map<string, string[]>();

after(async () => {
  await Promise.all(brokers.map((broker) => broker.stop()));
});

/** Why a broker would not start, by the script option that names its port. */
const startErrors = new Map<string, string>();

before(async () => {
  if (!python) return;
  const configs = {
    '--port': '',
    '--acl-port': `acl_file ${aclFile}`,
    '--limits-port': 'max_packet_size 1000\nmax_keepalive 60\nmax_inflight_messages 5',
  };
  const args: string[] = [];
  // One broker refusing its configuration fails only the cases that need it.
  for (const [option, config] of Object.entries(configs)) {
    try {
      const broker = await startBroker({ config });
      brokers.push(broker);
      args.push(option, String(broker.port));
    } catch (error) {
      startErrors.set(option, (error as Error).message);
    }
  }
  if (startErrors.has('--port')) return;
  run = await runScript(python, args, 45_000);
  for (const line of run.stdout.split('\n')) {
    const match = /^(PASS|FAIL|NOTE) (\S+?)(?:: (.*))?$/.exec(line);
    if (!match) continue;
    const [, kind, name, text] = match;
    if (kind === 'NOTE') notes.set(name, [...(notes.get(name) ?? []), text]);
    else results.set(name, line);
  }
});

for (const name of cases) {
  const todo = useMosquitto ? mosquittoDeviations[name] : undefined;
  test(`paho ${name}`, { skip, todo }, (t) => {
    for (const note of notes.get(name) ?? []) t.diagnostic(note);
    const line = results.get(name);
    const errors = [...startErrors.values()].join('\n');
    assert.ok(line, `no result line for ${name}; ${errors}\nstderr:\n${run.stderr}`);
    if (line.includes('did not start')) assert.fail(`${line}\n${errors}`);
    if (line.startsWith('FAIL')) assert.fail(line);
  });
}

test('paho script: one line per case, exit status 0 only if all passed', { skip }, () => {
  const unknown = [...results.keys()].filter((name) => !cases.includes(name));
  assert.deepEqual(unknown, [], 'cases the test list does not know');
  assert.equal(results.size, cases.length, `stderr:\n${run.stderr}`);
  const failed = [...results.values()].some((line) => line.startsWith('FAIL'));
  assert.equal(run.status, failed ? 1 : 0, `stderr:\n${run.stderr}`);
  assert.doesNotMatch(run.stderr, /Traceback/, 'a Python thread crashed');
});
