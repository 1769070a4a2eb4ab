/**
 * Shared pieces of the black-box conformance suite: one broker per test
 * file (started before the first test, stopped after the last), unique
 * client ids and topics so tests sharing a broker cannot see each other,
 * and the check for "protocol error: reason code, then closed".
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { type RunningBroker, type StartOptions, startBroker } from './broker.js';
import { type RawClient, showPacket } from './raw-client.js';

export { useMosquitto } from './broker.js';

/** A broker for every test of the file; read `port` inside a test. */
export function fileBroker(config = '', options: StartOptions = {}) {
  let running: RunningBroker | undefined;
  before(async () => {
    running = await startBroker({ ...options, config });
  });
  after(async () => {
    await running?.stop();
  });
  return {
    get port() {
      assert.ok(running, 'broker not started');
      // A broker that died takes every later test of the file with it:
      // say so once, with what it said, rather than "connection refused".
      const { exitCode, signalCode } = running.process;
      if (exitCode !== null || signalCode !== null) {
        assert.fail(
          `the file's broker exited (code ${exitCode}, signal ${signalCode}); ` +
            `its output ended:\n${running.output().slice(-2000)}`,
        );
      }
      return running.port;
    },
    get broker() {
      assert.ok(running, 'broker not started');
      return running;
    },
  };
}

let counter = 0;

/** A name no other test uses: `unique('sub')` -> `sub-1-k2x9`. */
export function unique(prefix: string) {
  counter += 1;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 6)}`;
}

export interface ErrorCloseOptions {
  /**
   * The spec says a server SHOULD send DISCONNECT with the reason code
   * before closing (MQTT 5.0 section 4.13.2); where Mosquitto only closes,
   * tests pass `optional` and check the code only if one is sent.
   */
  optional?: boolean;
  ms?: number;
}

/**
 * The broker ends the connection for a protocol error: in MQTT 5 with a
 * DISCONNECT carrying `reason` (or one of several acceptable codes), in
 * 3.x by closing with nothing sent.
 */
export async function expectErrorClose(
  client: RawClient,
  reason: number | readonly number[],
  options: ErrorCloseOptions = {},
) {
  const { optional = false, ms } = options;
  const allowed = [reason].flat().map(hexCode);
  if (client.version === 5) {
    const packet = await client.next(ms).catch(() => undefined);
    if (packet) {
      assert.equal(
        packet.cmd,
        'disconnect',
        `expected disconnect, got ${showPacket(packet)}`,
      );
      const got = hexCode(
        packet.cmd === 'disconnect' ? (packet.reasonCode ?? 0) : undefined,
      );
      assert.ok(allowed.includes(got), `DISCONNECT reason ${got}, expected ${allowed}`);
    } else {
      assert.ok(optional, `no DISCONNECT with ${allowed} before the close`);
    }
  }
  await client.expectClosed(ms);
}

/** `0x8e` for failure messages. */
export function hexCode(code: number | undefined) {
  return code === undefined ? 'none' : `0x${code.toString(16).padStart(2, '0')}`;
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
