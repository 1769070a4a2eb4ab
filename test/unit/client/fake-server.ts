/**
 * An in-process fake MQTT server for client tests: it accepts connections
 * (TCP, TLS, Unix or WebSocket), decodes what the client sends with the
 * codec, and sends exactly the packets a test tells it to. Nothing is
 * automatic: no CONNACK, no acks, unless the test sends them.
 *
 *   const server = await FakeServer.tcp(t);
 *   const clientP = connect({ host: '127.0.0.1', port: server.port });
 *   const peer = await server.accept();
 *   await peer.handshake();            // CONNECT in, CONNACK out
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { TestContext } from 'node:test';
import type { WebSocket } from 'ws';
import {
  type ClientOptions,
  MqttClient,
  type MqttError,
} from '../../../src/client/index.js';
import {
  type ConnackPacket,
  type ConnectPacket,
  encode,
  type Packet,
  PacketDecoder,
  PacketType,
  type ProtocolVersion,
} from '../../../src/protocol/index.js';
import { Arrivals } from '../../helpers/arrivals.js';

export const WAIT = 2000;

type PacketOf<T extends PacketType> = Extract<Packet, { type: T }>;

/** A byte pipe the fake server talks through: a socket or a WebSocket. */
export interface Pipe {
  write(data: Buffer): void;
  end(): void;
  destroy(): void;
  onData(fn: (chunk: Buffer) => void): void;
  onClose(fn: () => void): void;
}

export function socketPipe(socket: Socket): Pipe {
  socket.on('error', () => {});
  return {
    write: (data) => socket.write(data),
    end: () => socket.end(),
    destroy: () => socket.destroy(),
    onData: (fn) => socket.on('data', fn),
    onClose: (fn) => socket.once('close', fn),
  };
}

export function wsPipe(ws: WebSocket): Pipe {
  ws.on('error', () => {});
  return {
    write: (data) => ws.send(data),
    end: () => ws.close(),
    destroy: () => ws.terminate(),
    onData: (fn) => ws.on('message', (data) => fn(data as Buffer)),
    onClose: (fn) => ws.once('close', fn),
  };
}

export class FakePeer {
  readonly #packets = new Arrivals<Packet>('packet');
  /** Every packet received, in order. */
  readonly received = this.#packets.items;
  /** Sizes of the chunks received, to check write batching. */
  readonly chunks: number[] = [];
  closed = false;
  version: ProtocolVersion = 4;
  readonly #pipe: Pipe;
  readonly #decoder: PacketDecoder;

  constructor(pipe: Pipe) {
    this.#pipe = pipe;
    this.#decoder = new PacketDecoder(
      (packet) => {
        if (packet.type === PacketType.Connect) this.version = packet.protocolVersion;
        this.#packets.push(packet);
      },
      { side: 'server' },
    );
    pipe.onData((chunk) => {
      this.chunks.push(chunk.length);
      this.#decoder.feed(chunk);
    });
    pipe.onClose(() => {
      this.closed = true;
      this.#packets.poke();
    });
  }

  send(packet: Packet): void {
    this.#pipe.write(encode(packet, this.version));
  }

  sendRaw(bytes: Buffer): void {
    this.#pipe.write(bytes);
  }

  /** Closes the connection abruptly, as a network failure would. */
  drop(): void {
    this.#pipe.destroy();
  }

  end(): void {
    this.#pipe.end();
  }

  /** The next packet not yet taken; fails after `ms`. */
  next(ms = WAIT): Promise<Packet> {
    return this.#packets.next(ms, () =>
      this.closed ? 'connection closed while waiting for a packet' : undefined,
    );
  }

  /** The next packet, which must be of `type`. */
  async expect<T extends PacketType>(type: T, ms = WAIT): Promise<PacketOf<T>> {
    const packet = await this.next(ms);
    assert.equal(PacketType[packet.type], PacketType[type], 'packet type');
    return packet as PacketOf<T>;
  }

  /** Resolves when the client has closed the connection. */
  async waitClosed(ms = WAIT): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error(`still open after ${ms} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Takes the CONNECT and answers CONNACK (success unless told). */
  async handshake(connack: Partial<ConnackPacket> = {}): Promise<ConnectPacket> {
    const connect = await this.expect(PacketType.Connect);
    this.send({
      type: PacketType.Connack,
      sessionPresent: false,
      reasonCode: 0,
      ...connack,
    });
    return connect;
  }
}

/** Accepts connections and hands out a FakePeer for each. */
export class FakeServer {
  readonly #arrivals = new Arrivals<FakePeer>('connection');
  readonly peers = this.#arrivals.items;

  /** Answer every CONNECT with a successful CONNACK by itself. */
  autoHandshake = false;

  /** Wraps `pipe` in a FakePeer; listeners call this for each connection. */
  add(pipe: Pipe): void {
    const peer = new FakePeer(pipe);
    if (this.autoHandshake) peer.handshake().catch(() => {});
    this.#arrivals.push(peer);
  }

  /** The next connection not yet taken. */
  accept(ms = WAIT): Promise<FakePeer> {
    return this.#arrivals.next(ms);
  }

  /** A TCP fake server on 127.0.0.1, closed when the test ends. */
  static async tcp(t: TestContext): Promise<FakeServer & { port: number }> {
    const fake = new FakeServer();
    const server = createServer((socket) => fake.add(socketPipe(socket)));
    const port = await listen(t, server);
    return Object.assign(fake, { port });
  }
}

/** Listens on 127.0.0.1:0 (or a path) and registers the teardown. */
export async function listen(
  t: TestContext,
  server: Server,
  path?: string,
): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (path) server.listen(path, resolve);
    else server.listen(0, '127.0.0.1', resolve);
  });
  return path ? 0 : (server.address() as { port: number }).port;
}

/** Connects a new client; resolves with it, or with the error it failed with. */
export function connectOrError(
  t: TestContext,
  options: ClientOptions,
): Promise<MqttClient | MqttError> {
  const client = new MqttClient(options);
  t.after(() => client.end());
  return client.connect().then(
    () => client,
    (err: MqttError) => err,
  );
}

/** A client connected to a fresh fake server, ended when the test ends. */
export async function connectedPair(
  t: TestContext,
  options: ClientOptions = {},
  connack: Partial<ConnackPacket> = {},
): Promise<{
  server: FakeServer & { port: number };
  peer: FakePeer;
  client: MqttClient;
}> {
  const server = await FakeServer.tcp(t);
  const client = new MqttClient({ ...options, host: '127.0.0.1', port: server.port });
  t.after(() => client.end());
  const connecting = client.connect();
  const peer = await server.accept();
  await peer.handshake(connack);
  await connecting;
  return { server, peer, client };
}
