/**
 * Plain TCP listeners. One configured listener may open several sockets
 * (IPv4 and IPv6 for "all addresses" or "localhost"); they share the
 * listener's settings and its connection count.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Broker } from '../broker/index.js';
import type { ListenerSettings } from '../broker/options.js';
import { type Logger, LogType } from '../log/log-types.js';
import { SocketTransport } from './socket-transport.js';

export interface TcpListenerOptions {
  port: number;
  /** Addresses to bind; empty = every IPv4 and IPv6 address. */
  hosts: string[];
  /** Restrict to one address family. */
  socketDomain?: 'ipv4' | 'ipv6';
  settings: ListenerSettings;
  /** Set TCP_NODELAY on client sockets. */
  noDelay?: boolean;
}

interface Bind {
  host: string;
  family: 'ipv4' | 'ipv6';
}

export class TcpListener {
  readonly servers: Server[] = [];
  #broker: Broker;
  #options: TcpListenerOptions;
  #log: Logger;
  #connections = 0;

  constructor(broker: Broker, options: TcpListenerOptions, log: Logger) {
    this.#broker = broker;
    this.#options = options;
    this.#log = log;
  }

  /** The port actually bound (differs from the configured one for port 0). */
  get port(): number {
    const address = this.servers[0]?.address();
    return typeof address === 'object' && address ? address.port : this.#options.port;
  }

  async open(): Promise<void> {
    let port = this.#options.port;
    const binds = bindsFor(this.#options);
    for (const bind of binds) {
      this.#log.write(
        LogType.Notice,
        `Opening ${bind.family} listen socket on port ${port || this.#options.port}.`,
      );
      try {
        const server = await this.#listen(bind, port);
        this.servers.push(server);
        if (port === 0) {
          // Port 0 picks a free port: log and name the listener by it.
          port = (server.address() as { port: number }).port;
          this.#log.write(LogType.Notice, `Listening on port ${port}.`);
          const settings = { ...this.#options.settings, name: String(port) };
          this.#options = { ...this.#options, settings };
        }
      } catch (error) {
        // IPv6 may be missing on the host: like Mosquitto, carry on with
        // the other sockets when one of an "all addresses" pair fails.
        const code = (error as NodeJS.ErrnoException).code;
        const optional = binds.length > 1 && code === 'EADDRNOTAVAIL';
        if (!optional || bind.family === 'ipv4') throw error;
        this.#log.write(
          LogType.Warning,
          `Warning: ${bind.family} unavailable (${code}).`,
        );
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map((server) => new Promise<void>((r) => server.close(() => r()))),
    );
  }

  #listen(bind: Bind, port: number): Promise<Server> {
    const server = createServer((socket) => this.#accept(socket));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: bind.host, ipv6Only: bind.family === 'ipv6' }, () => {
        server.off('error', reject);
        server.on('error', (error) => {
          this.#log.write(LogType.Error, `Error: listener: ${error.message}`);
        });
        resolve(server);
      });
    });
  }

  #accept(socket: Socket): void {
    const { settings } = this.#options;
    if (settings.maxConnections >= 0 && this.#connections >= settings.maxConnections) {
      socket.destroy();
      return;
    }
    this.#connections++;
    socket.once('close', () => this.#connections--);
    if (this.#options.noDelay) socket.setNoDelay(true);
    this.#broker.accept(new SocketTransport(socket), settings);
  }
}

function bindsFor(options: TcpListenerOptions): Bind[] {
  const hosts = options.hosts.length > 0 ? options.hosts : ['0.0.0.0', '::'];
  const binds = hosts.map((host): Bind => ({ host, family: familyOf(host) }));
  const domain = options.socketDomain;
  return domain ? binds.filter((bind) => bind.family === domain) : binds;
}

function familyOf(host: string): 'ipv4' | 'ipv6' {
  return host.includes(':') ? 'ipv6' : 'ipv4';
}
