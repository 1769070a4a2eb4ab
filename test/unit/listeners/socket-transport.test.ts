/**
 * The stream-socket transport: small writes of a turn are gathered into
 * one buffer, large ones pass as they are, and the peer receives every
 * byte in the order written; queued bytes count until they are sent.
 */
import assert from 'node:assert/strict';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SocketTransport } from '../../../src/listeners/socket-transport.js';

interface Pair {
  transport: SocketTransport;
  received: () => Buffer;
  /** The peer's socket. */
  peer: Socket;
}

async function pair(t: { after(fn: () => unknown): void }): Promise<Pair> {
  const server = createServer();
  const sockets: Socket[] = [];
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => server.close(r));
  });
  server.on('connection', (s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const accepted = new Promise<Socket>((r) => server.once('connection', r));
  const peer = connect(port, '127.0.0.1');
  sockets.push(peer);
  const chunks: Buffer[] = [];
  peer.on('data', (c: Buffer) => chunks.push(c));
  const transport = new SocketTransport(await accepted);
  transport.start({ onData: () => {}, onDrain: () => {}, onClose: () => {} });
  return { transport, peer, received: () => Buffer.concat(chunks) };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
};

/** `n` bytes counting up from `from`, so misplaced bytes show. */
function bytes(n: number, from: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (from + i) & 0xff;
  return b;
}

describe('SocketTransport', () => {
  test('small and large writes of a turn arrive whole and in order', async (t) => {
    const { transport, received } = await pair(t);
    const sizes = [4, 4, 30, 5000, 2, 1024, 1025, 3, 70_000, 1, 20_000];
    // Many small writes too, past the point where gathered bytes are sent.
    for (let i = 0; i < 5000; i++) sizes.push(4 + (i % 40));
    const written: Buffer[] = [];
    let from = 0;
    for (const n of sizes) {
      const b = bytes(n, from);
      from += n;
      written.push(b);
      transport.write(b);
    }
    const want = Buffer.concat(written);
    await until(() => received().length >= want.length);
    assert.equal(received().length, want.length);
    assert.ok(received().equals(want));
  });

  test('gathered bytes count as buffered until the turn ends', async (t) => {
    const { transport, received } = await pair(t);
    assert.equal(transport.bufferedBytes, 0);
    for (let i = 0; i < 10; i++) transport.write(bytes(4, i * 4));
    assert.ok(transport.bufferedBytes >= 40);
    await until(() => received().length >= 40);
    assert.ok(received().equals(bytes(40, 0)));
    await until(() => transport.bufferedBytes === 0);
    assert.equal(transport.bufferedBytes, 0);
  });

  test('end() sends what was gathered before closing', async (t) => {
    const { transport, peer, received } = await pair(t);
    const ended = new Promise((r) => peer.once('end', r));
    transport.write(bytes(10, 0));
    transport.write(bytes(10, 10));
    transport.end();
    await ended;
    assert.ok(received().equals(bytes(20, 0)));
  });
  test('a transport that ended is let go once its peer has closed', async (t) => {
    // Without a timer or other reference left behind, a collection frees it.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    setFlagsFromString('--no-expose-gc');
    const server = createServer();
    t.after(() => new Promise((r) => server.close(r)));
    const refs: WeakRef<SocketTransport>[] = [];
    let closed = 0;
    server.on('connection', (socket) => {
      const transport = new SocketTransport(socket);
      const onClose = () => closed++;
      transport.start({ onData: () => {}, onDrain: () => {}, onClose });
      refs.push(new WeakRef(transport));
      transport.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    for (let i = 0; i < 20; i++) {
      const peer = connect(port, '127.0.0.1');
      peer.on('end', () => peer.end());
      peer.resume();
    }
    await until(() => closed === 20);
    assert.equal(closed, 20, 'every transport saw its peer close');
    await new Promise((r) => setTimeout(r, 20));
    gc();
    await new Promise((r) => setImmediate(r));
    gc();
    const held = refs.filter((ref) => ref.deref() !== undefined).length;
    assert.equal(held, 0, `${held} of 20 closed transports still held`);
  });
});
