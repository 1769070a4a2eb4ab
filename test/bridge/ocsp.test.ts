/**
 * bridge_require_ocsp: the bridge asks its remote for a stapled OCSP
 * response and connects only with a good, current one, from the issuer
 * of the remote's certificate (or its delegated responder), for that
 * certificate. The remote is a plain midge behind a node:tls front that
 * staples responses made by `openssl ocsp`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import type { Server, TLSSocket } from 'node:tls';
import { type Certs, makeCerts } from '../helpers/certs.js';
import {
  editResponse,
  makeOcspResponses,
  type OcspResponses,
  staplingFront,
} from '../helpers/ocsp.js';
import { type BridgeHost, plainListener, startHost, until } from './helpers.js';

let certs: Certs;
let responses: OcspResponses;
before(() => {
  certs = makeCerts();
  responses = makeOcspResponses(certs);
});
after(() => certs.remove());

/** A bridge with bridge_require_ocsp to a remote that staples `staple`. */
async function bridgeTo(
  t: TestContext,
  staple: Buffer | null | (() => Buffer | null),
  ocsp = 'bridge_require_ocsp true\n',
): Promise<BridgeHost & { front: Server }> {
  const remote = await startHost(plainListener);
  t.after(() => remote.stop());
  const next = typeof staple === 'function' ? staple : () => staple;
  const front = await staplingFront(certs, remote.port, next);
  t.after(() => front.close());
  const host = await startHost(
    (p) =>
      `${plainListener(p)}connection s\naddress 127.0.0.1:${front.port}\n` +
      `restart_timeout 1\ntopic a in\nbridge_cafile ${certs.caFile}\n${ocsp}`,
  );
  t.after(() => host.stop());
  return Object.assign(host, { front: front.server });
}

const state = (host: BridgeHost) => host.bridges.bridges.get('s')?.state;

describe('bridge_require_ocsp', { concurrency: true }, () => {
  test('connects with a good response from the CA', async (t) => {
    const host = await bridgeTo(t, responses.good);
    await until(() => state(host) === 'connected', 5000, 'for the bridge');
  });

  test('connects with a good response from a delegated responder', async (t) => {
    const host = await bridgeTo(t, responses.delegated);
    await until(() => state(host) === 'connected', 5000, 'for the bridge');
  });

  test('without the option, a remote that staples nothing is fine', async (t) => {
    const host = await bridgeTo(t, null, '');
    await until(() => state(host) === 'connected', 5000, 'for the bridge');
  });

  const refusals: Array<[string, () => Buffer | null, string]> = [
    ['no response', () => null, 'OCSP: no response'],
    [
      'a revoked certificate',
      () => responses.revoked,
      'OCSP: SSL certificate status: revoked (1), revocation reason: keyCompromise (1)',
    ],
    [
      'a response for another certificate',
      () => responses.otherCert,
      'OCSP: no response for the server certificate',
    ],
    [
      'a response signed by another key',
      () => responses.wrongKey,
      'OCSP: response verification failed',
    ],
    [
      'a responder the CA did not delegate to',
      () => responses.notDelegated,
      'OCSP: response verification failed',
    ],
    ['an expired response', () => responses.expired, 'OCSP: OCSP response has expired'],
  ];
  for (const [what, staple, reason] of refusals) {
    test(`refuses ${what}`, async (t) => {
      const host = await bridgeTo(t, staple());
      const line = await host.log.waitFor('Error creating bridge');
      assert.equal(line, `Error creating bridge: ${reason}.`);
      assert.notEqual(state(host), 'connected');
    });
  }

  test('a good response first, then junk on the reconnect, is refused', async (t) => {
    // An answer without thisUpdate, signed by the CA: it used to throw.
    const caKey = readFileSync(join(certs.dir, 'ca.key'));
    const junk = editResponse(responses.good, caKey, (f) => f.singles[0]!.splice(2));
    let connections = 0;
    const host = await bridgeTo(t, () => (connections++ === 0 ? responses.good : junk));
    const sockets: TLSSocket[] = [];
    host.front.on('secureConnection', (s: TLSSocket) => sockets.push(s));
    await until(() => state(host) === 'connected', 5000, 'for the bridge');
    for (const s of sockets) s.destroy();
    const line = await host.log.waitFor('Error creating bridge');
    assert.equal(line, 'Error creating bridge: OCSP: invalid response (missing time).');
    assert.notEqual(state(host), 'connected');
    assert.ok(connections >= 2);
  });
});
