/**
 * Usernames from client certificates: use_subject_as_username must give
 * exactly what Mosquitto gives, which is OpenSSL's RFC 2253 printing
 * (`openssl x509 -nameopt RFC2253` prints it the same way).
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { commonName, subjectAsUsername } from '../../../src/listeners/tls-identity.js';
import {
  type Certs,
  makeCerts,
  opensslSubject,
  removeCerts,
} from '../../listeners/support.js';

let certs: Certs;
before(() => {
  certs = makeCerts();
});
after(() => removeCerts(certs));

const x509 = (path: string) => new X509Certificate(readFileSync(path));

describe('use_subject_as_username', () => {
  test('a plain subject reads last RDN first', () => {
    assert.equal(
      subjectAsUsername(x509(certs.good.cert)),
      'CN=client-good,O=Midge Test,C=GB',
    );
  });

  test('escapes, UTF-8 and a multi-valued RDN match OpenSSL RFC 2253', () => {
    const expected = opensslSubject(certs.fancy.cert);
    // The case is only worth having if it holds every kind of escape.
    assert.match(expected, /\\,/);
    assert.match(expected, /\\C3\\AB/);
    assert.match(expected, /\+OU=/);
    assert.equal(subjectAsUsername(x509(certs.fancy.cert)), expected);
  });

  test('every test certificate agrees with OpenSSL', () => {
    for (const pair of [certs.good, certs.noCn, certs.expired, certs.server2]) {
      assert.equal(subjectAsUsername(x509(pair.cert)), opensslSubject(pair.cert));
    }
  });
});

describe('use_identity_as_username', () => {
  const peer = (path: string) => {
    const cert = x509(path);
    // The shape tls.TLSSocket#getPeerCertificate() gives.
    const subject: Record<string, string | string[]> = {};
    for (const line of cert.subject.split('\n')) {
      const [key, value] = [
        line.slice(0, line.indexOf('=')),
        line.slice(line.indexOf('=') + 1),
      ];
      const old = subject[key];
      subject[key] = old === undefined ? value : ([] as string[]).concat(old, value);
    }
    return { subject } as never;
  };

  test('takes the commonName', () => {
    assert.equal(commonName(peer(certs.good.cert)), 'client-good');
  });

  test('no commonName, no username', () => {
    assert.equal(commonName(peer(certs.noCn.cert)), undefined);
  });

  test('the first of several commonNames; a NUL refuses', () => {
    assert.equal(commonName({ subject: { CN: ['one', 'two'] } } as never), 'one');
    assert.equal(commonName({ subject: { CN: 'a\0b' } } as never), undefined);
  });
});
