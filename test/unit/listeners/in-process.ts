/**
 * A Listener in process, for tests: a stand-in broker that records the
 * transports it is handed, a logger that keeps its lines, certificates
 * made once per test file, and a TLS client.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { Broker } from '../../../src/broker/index.js';
import { defaultListenerSettings } from '../../../src/broker/options.js';
import type { Transport } from '../../../src/broker/transport.js';
import { Listener, type ListenerOptions } from '../../../src/listeners/listener.js';
import type { TlsSpec } from '../../../src/listeners/tls-options.js';
import { CaptureLog } from '../../helpers/capture-log.js';
import { type Certs, makeCerts, removeCerts } from '../../listeners/support.js';

let made: Certs | undefined;

/** The certificates of this test file, made on first use. */
export function testCerts(): Certs {
  if (made === undefined) {
    const certs = makeCerts();
    process.once('exit', () => removeCerts(certs));
    made = certs;
  }
  return made;
}

export class FakeBroker {
  readonly options = { connectTimeout: 10, connectionMessages: true };
  readonly transports: Transport[] = [];
  #waiters: Array<() => void> = [];
  accept(transport: Transport): void {
    this.transports.push(transport);
    transport.start({ onData: () => {}, onDrain: () => {}, onClose: () => {} });
    for (const wake of this.#waiters.splice(0)) wake();
  }
  async next(): Promise<Transport> {
    const count = this.transports.length;
    while (this.transports.length === count) {
      await new Promise<void>((r) => this.#waiters.push(r));
    }
    return this.transports.at(-1)!;
  }
}

export async function open(
  t: { after(fn: () => unknown): void },
  options: Partial<ListenerOptions>,
): Promise<{ listener: Listener; broker: FakeBroker; log: CaptureLog }> {
  const broker = new FakeBroker();
  const log = new CaptureLog();
  const listener = new Listener(
    broker as unknown as Broker,
    { port: 0, hosts: ['127.0.0.1'], settings: defaultListenerSettings, ...options },
    log,
  );
  await listener.open();
  t.after(() => {
    // The stand-in broker never closes what it took; a real one would.
    for (const transport of broker.transports) transport.destroy();
    return listener.close();
  });
  return { listener, broker, log };
}

export function tlsSpec(extra: Partial<TlsSpec> = {}): TlsSpec {
  return {
    certfile: testCerts().server.cert,
    keyfile: testCerts().server.key,
    cafile: testCerts().ca,
    crlfile: testCerts().crl,
    requireCertificate: true,
    useIdentityAsUsername: false,
    useSubjectAsUsername: false,
    disableClientCertDateChecks: false,
    ...extra,
  };
}

export function tlsClient(
  t: { after(fn: () => unknown): void },
  port: number,
  pair?: { cert: string; key: string },
  socket?: Socket,
): Promise<TLSSocket> {
  const client = tlsConnect({
    ...(socket ? { socket } : { host: '127.0.0.1', port }),
    ca: readFileSync(testCerts().ca),
    cert: pair && readFileSync(pair.cert),
    key: pair && readFileSync(pair.key),
  });
  t.after(() => client.destroy());
  return new Promise((resolve, reject) => {
    client.once('secureConnect', () => resolve(client));
    client.once('error', reject);
  });
}
