/**
 * The stapled OCSP check (tls.requireOcsp, bridge_require_ocsp) on
 * responses made by `openssl ocsp`, and a TLS connection that staples
 * them: what is accepted, and the reason given for each refusal.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, type TestContext, test } from 'node:test';
import { createServer } from 'node:tls';
import { MqttClient, TransportError } from '../../../src/client/index.js';
import { ocspProblem } from '../../../src/client/transport/ocsp.js';
import { type Certs, makeCerts } from '../../helpers/certs.js';
import { makeOcspResponses, type OcspResponses } from '../../helpers/ocsp.js';
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
