/**
 * Assembles a running midge: one broker core and its listeners. The CLI
 * builds a ServerSpec from mosquitto.conf; embedders may build one in code.
 */
import { Broker } from './broker/index.js';
import type { BrokerOptions, ListenerSettings } from './broker/options.js';
import { TcpListener } from './listeners/tcp.js';
import type { Logger } from './log/log-types.js';

export interface TcpListenerSpec {
  kind: 'tcp';
  port: number;
  /** Addresses to bind; empty = all IPv4 and IPv6 addresses. */
  hosts: string[];
  socketDomain?: 'ipv4' | 'ipv6';
  settings: ListenerSettings;
}

export type ListenerSpec = TcpListenerSpec;

export interface ServerSpec {
  broker: Partial<BrokerOptions>;
  listeners: ListenerSpec[];
  /** TCP_NODELAY on client sockets (`set_tcp_nodelay`). */
  noDelay?: boolean;
}

export class Server {
  readonly broker: Broker;
  readonly listeners: TcpListener[] = [];

  constructor(spec: ServerSpec, log: Logger) {
    this.broker = new Broker(spec.broker, log);
    for (const listener of spec.listeners) {
      this.listeners.push(
        new TcpListener(this.broker, { ...listener, noDelay: spec.noDelay }, log),
      );
    }
  }

  /** Opens every listener; on failure closes what was opened and throws. */
  async start(): Promise<void> {
    try {
      for (const listener of this.listeners) await listener.open();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    // Servers finish closing only once their connections are gone, which
    // the broker's close brings about.
    const closing = Promise.all(this.listeners.map((listener) => listener.close()));
    await this.broker.close();
    await closing;
  }
}
