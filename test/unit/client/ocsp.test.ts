/**
 * The stapled OCSP check (tls.requireOcsp, bridge_require_ocsp) on
 * responses made by `openssl ocsp`, and a TLS connection that staples
 * them: what is accepted, and the reason given for each refusal.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import { createServer } from 'node:tls';
import { MqttClient, TransportError } from '../../../src/client/index.js';
import { ocspProblem } from '../../../src/client/transport/ocsp.js';
import { type Certs, makeCerts } from '../../helpers/certs.js';
import {
  editResponse,
  makeOcspResponses,
  type OcspResponses,
  type ResponseFields,
  tlv,
} from '../../helpers/ocsp.js';
import { connectOrError, FakeServer, listen, socketPipe } from './fake-server.js';

let certs: Certs;
let responses: OcspResponses;
before(() => {
  certs = makeCerts();
  responses = makeOcspResponses(certs);
});
after(() => certs.remove());

/** DER of a PEM certificate. */
const der = (pem: Buffer) => new X509Certificate(pem).raw;

const judge = (response: Buffer | undefined, now?: number) =>
  ocspProblem({
    response,
    cert: der(certs.serverCert),
    issuer: der(certs.ca),
    ...(now === undefined ? {} : { now }),
  });

describe('OCSP stapling check', () => {
  test('a good response from the issuer passes', () => {
    assert.equal(judge(responses.good), null);
  });

  test('a good response from a delegated OCSP responder passes', () => {
    assert.equal(judge(responses.delegated), null);
  });

  test('each bad response is refused with its reason', () => {
    assert.equal(judge(undefined), 'OCSP: no response');
    assert.equal(
      judge(responses.revoked),
      'OCSP: SSL certificate status: revoked (1), revocation reason: keyCompromise (1)',
    );
    assert.equal(
      judge(responses.otherCert),
      'OCSP: no response for the server certificate',
    );
    assert.equal(judge(responses.wrongKey), 'OCSP: response verification failed');
    assert.equal(judge(responses.notDelegated), 'OCSP: response verification failed');
    assert.equal(judge(responses.expired), 'OCSP: OCSP response has expired');
  });

  test('a response is current from thisUpdate to nextUpdate, five minutes either side', () => {
    const day = 24 * 60 * 60 * 1000;
    assert.equal(judge(responses.good, Date.now() + day - 60_000), null);
    assert.equal(
      judge(responses.good, Date.now() + day + 6 * 60_000),
      'OCSP: OCSP response has expired',
    );
    assert.equal(
      judge(responses.good, Date.now() - 6 * 60_000),
      'OCSP: OCSP response is not yet valid',
    );
  });

  test('malformed bytes are refused, not thrown', () => {
    const cut = responses.good.subarray(0, responses.good.length - 10);
    assert.match(judge(cut) ?? '', /^OCSP: invalid response/);
    assert.match(
      judge(Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x03])) ?? '',
      /invalid status: tryLater \(3\)/,
    );
  });
});

describe('OCSP stapling check on crafted responses', () => {
  /** The good response changed by `edit`, signed again by the CA. */
  const edited = (edit: (fields: ResponseFields) => void) =>
    editResponse(responses.good, readFileSync(join(certs.dir, 'ca.key')), edit);
  const single = (f: ResponseFields) => f.singles[0]!;
  // Extension 1.2.3.4, critical or not, with an empty value.
  const extension = (critical: boolean) =>
    tlv(
      0x30,
      Buffer.concat([
        Buffer.from([0x06, 0x03, 0x2a, 0x03, 0x04]),
        critical ? Buffer.from([0x01, 0x01, 0xff]) : Buffer.alloc(0),
        Buffer.from([0x04, 0x00]),
      ]),
    );
  const extensions = (critical: boolean) => tlv(0xa1, tlv(0x30, extension(critical)));

  test('an answer without thisUpdate, or with an empty nextUpdate, is malformed', () => {
    const noThisUpdate = edited((f) => single(f).splice(2));
    assert.equal(judge(noThisUpdate), 'OCSP: invalid response (missing time)');
    const emptyNext = edited((f) => single(f).splice(3, 1, tlv(0xa0, Buffer.alloc(0))));
    assert.equal(judge(emptyNext), 'OCSP: invalid response (missing time)');
  });

  test('an answer without nextUpdate passes: newer information is always there', () => {
    assert.equal(judge(edited((f) => single(f).splice(3, 1))), null);
  });

  test('an unknown critical extension is refused, a non-critical one ignored', () => {
    const reason = 'OCSP: unsupported critical extension 1.2.3.4';
    const inSingle = (critical: boolean) =>
      edited((f) => single(f).push(extensions(critical)));
    assert.equal(judge(inSingle(true)), reason);
    assert.equal(judge(inSingle(false)), null);
    // In place of the response's own extensions (the nonce openssl sets).
    const inResponse = edited((f) => f.tbs.splice(f.at, 1, extensions(true)));
    assert.equal(judge(inResponse), reason);
  });

  test('of several answers, the one for the server certificate counts', () => {
    const other = (f: ResponseFields) => {
      const copy = [...single(f)];
      // Another serial number of the same issuer.
      copy[0] = Buffer.from(copy[0]!);
      copy[0][copy[0].length - 1]! ^= 1;
      return copy;
    };
    assert.equal(judge(edited((f) => f.singles.unshift(other(f)))), null);
    assert.equal(
      judge(edited((f) => (f.singles = [other(f)]))),
      'OCSP: no response for the server certificate',
    );
  });

  test('a signature over other bytes is refused', () => {
    const good = Buffer.from(responses.good);
    // The last octet of producedAt's seconds, inside the signed part.
    const at = good.indexOf('Z', 0, 'latin1') - 1;
    good[at] = good[at] === 0x30 ? 0x31 : 0x30;
    assert.equal(judge(good), 'OCSP: response verification failed');
  });
});

describe('tls.requireOcsp on a connection', { concurrency: true }, () => {
  /** A TLS fake broker stapling `staple`, and the client's outcome. */
  const open = async (t: TestContext, staple: Buffer | null) => {
    const fake = new FakeServer();
    fake.autoHandshake = true;
    const tlsOptions = { cert: certs.serverCert, key: certs.serverKey };
    const server = createServer(tlsOptions, (socket) => fake.add(socketPipe(socket)));
    server.on('OCSPRequest', (_cert, _issuer, done) => done(null, staple));
    server.on('tlsClientError', () => {});
    const port = await listen(t, server);
    return connectOrError(t, {
      host: '127.0.0.1',
      port,
      connectTimeout: 5000,
      tls: { ca: certs.ca, requireOcsp: true },
    });
  };

  test('connects when a good response is stapled', async (t) => {
    const client = await open(t, responses.good);
    assert.ok(client instanceof MqttClient, String(client));
  });

  for (const [what, reason] of [
    ['nothing', 'OCSP: no response'],
    [
      'revoked',
      'OCSP: SSL certificate status: revoked (1), revocation reason: keyCompromise (1)',
    ],
  ] as const) {
    test(`refuses a server that staples ${what}`, async (t) => {
      const staple = what === 'nothing' ? null : responses.revoked;
      const error = await open(t, staple);
      assert.ok(error instanceof TransportError, String(error));
      assert.equal(error.code, 'OCSP_FAILED');
      assert.equal(error.message, reason);
    });
  }

  test('without requireOcsp nothing is asked or checked', async (t) => {
    const fake = new FakeServer();
    fake.autoHandshake = true;
    const tlsOptions = { cert: certs.serverCert, key: certs.serverKey };
    const server = createServer(tlsOptions, (socket) => fake.add(socketPipe(socket)));
    let asked = false;
    server.on('OCSPRequest', (_cert, _issuer, done) => {
      asked = true;
      done(null, null);
    });
    const port = await listen(t, server);
    const client = await connectOrError(t, {
      host: '127.0.0.1',
      port,
      tls: { ca: certs.ca },
    });
    assert.ok(client instanceof MqttClient, String(client));
    assert.equal(asked, false);
  });
});
