/**
 * A TCP relay between a bridge and its remote that reads the MQTT packets
 * going through and can break the connection at a chosen point: the first
 * packet of a given type in a given direction is swallowed and both sides
 * are hung up on, as when a network fails between a packet's departure
 * and its arrival. Packets are relayed whole, one by one, so the cut
 * lands exactly between two of them.
 */
import {
  type AddressInfo,
  connect,
  createServer,
  type Server,
  type Socket,
} from 'node:net';
import type { PacketType } from '../../src/protocol/index.js';

/** 'up' is bridge to remote, 'down' remote to bridge. */
export type Direction = 'up' | 'down';

export class CuttingRelay {
  readonly port: number;
  readonly #server: Server;
  readonly #pairs = new Set<[Socket, Socket]>();
  #cut: { direction: Direction; type: PacketType } | null = null;
  /** How many cuts were made. */
  cuts = 0;

  private constructor(server: Server) {
    this.#server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  static async start(target: number): Promise<CuttingRelay> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const relay = new CuttingRelay(server);
    server.on('connection', (socket) => relay.#accept(socket, target));
    return relay;
  }

  /** Swallow the next `type` packet going `direction`, then cut. */
  cutAt(direction: Direction, type: PacketType): void {
    this.#cut = { direction, type };
  }

  close(): Promise<void> {
    for (const [a, b] of this.#pairs) {
      a.destroy();
      b.destroy();
    }
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #accept(bridge: Socket, target: number): void {
    const remote = connect(target, '127.0.0.1');
    const pair: [Socket, Socket] = [bridge, remote];
    this.#pairs.add(pair);
    const hangUp = () => {
      this.#pairs.delete(pair);
      bridge.destroy();
      remote.destroy();
    };
    for (const s of pair) {
      s.on('error', hangUp);
      s.on('close', hangUp);
    }
    this.#pipe(bridge, remote, 'up', hangUp);
    this.#pipe(remote, bridge, 'down', hangUp);
  }

  #pipe(from: Socket, to: Socket, direction: Direction, hangUp: () => void): void {
    let buffer = Buffer.alloc(0);
    from.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const size = packetSize(buffer);
        if (size === 0 || size > buffer.length) return;
        const packet = buffer.subarray(0, size);
        buffer = buffer.subarray(size);
        const cut = this.#cut;
        if (cut?.direction === direction && packet[0]! >> 4 === cut.type) {
          this.#cut = null;
          this.cuts++;
          hangUp();
          return;
        }
        to.write(packet);
      }
    });
  }
}

/** The whole size of the packet at the start of `b`; 0 if not known yet. */
function packetSize(b: Buffer): number {
  let length = 0;
  let multiplier = 1;
  for (let i = 1; i < 5; i++) {
    if (i >= b.length) return 0;
    length += (b[i]! & 0x7f) * multiplier;
    if ((b[i]! & 0x80) === 0) return 1 + i + length;
    multiplier *= 128;
  }
  throw new Error('bad remaining length');
}
