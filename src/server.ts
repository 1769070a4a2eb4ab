/**
 * Assembles a running midge: one broker core and its listeners. The CLI
 * builds a ServerSpec from mosquitto.conf; embedders may build one in code.
 *
 * @example
 * const server = new Server({
 *   broker: {},
 *   listeners: [{ port: 1883, hosts: ['127.0.0.1'], settings }],
 * }, logger);
 * await server.start();
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { Broker } from './broker/index.js';
import type { BrokerOptions } from './broker/options.js';
import { BindError } from './listeners/bind.js';
import { Listener, type ListenerOptions } from './listeners/listener.js';
import { type Logger, LogType } from './log/log-types.js';

/**
 * One listener: port and addresses (or `unixPath`), per-listener settings,
 * and the optional layers: `tls`, `websockets`, `proxyProtocol`,
 * `hostAccess` (see src/listeners/listener.ts).
 */
export type ListenerSpec = Omit<ListenerOptions, 'noDelay' | 'keylog'>;

export interface ServerSpec {
  broker: Partial<BrokerOptions>;
  listeners: ListenerSpec[];
  /** TCP_NODELAY on client sockets (`set_tcp_nodelay`). */
  noDelay?: boolean;
  /** Append TLS session keys to this file (`--tls-keylog`); debugging only. */
  tlsKeylog?: string;
}

export class Server {
  readonly broker: Broker;
  readonly listeners: Listener[] = [];
  readonly #log: Logger;
  readonly #keylog: WriteStream | undefined;

  constructor(spec: ServerSpec, log: Logger) {
    this.broker = new Broker(spec.broker, log);
    this.#log = log;
    const keylog = spec.tlsKeylog && createWriteStream(spec.tlsKeylog, { flags: 'a' });
    if (keylog)
      keylog.on('error', (e) => log.write(LogType.Error, `Error: ${e.message}`));
    this.#keylog = keylog || undefined;
    const common = {
      noDelay: spec.noDelay,
      keylog: keylog ? (line: Buffer) => keylog.write(line) : undefined,
    };
    for (const listener of spec.listeners) {
      this.listeners.push(new Listener(this.broker, { ...listener, ...common }, log));
    }
  }

  /** Opens every listener; on failure closes what was opened and throws. */
  async start(): Promise<void> {
    try {
      for (const listener of this.listeners) await listener.open();
      // Only local-only listeners (-p, or no listener configured) open
      // with no socket; like Mosquitto, one address of one port is enough.
      const none = this.listeners.every((listener) => listener.servers.length === 0);
      if (this.listeners.length > 0 && none) {
        throw new BindError('no loopback address could be had', true);
      }
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /**
   * Reads every TLS listener's certificate, key, CA, CRL and PSK files
   * again, for new connections. A listener whose files are bad keeps the
   * old ones and logs why; resolves false if any did.
   */
  async reloadCertificates(): Promise<boolean> {
    let ok = true;
    for (const listener of this.listeners) {
      try {
        await listener.reloadCertificates();
      } catch (error) {
        ok = false;
        this.#log.write(
          LogType.Error,
          `Error: listener ${listener.settings.name}: ${(error as Error).message}`,
        );
      }
    }
    return ok;
  }

  async stop(): Promise<void> {
    // Servers finish closing only once their connections are gone, which
    // the broker's close brings about.
    const closing = Promise.all(this.listeners.map((listener) => listener.close()));
    await this.broker.close();
    await closing;
    this.#keylog?.end();
  }
}
