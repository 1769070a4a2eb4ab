/**
 * The WebSocket transport: writes of one turn go out as one binary frame,
 * end() sends what is queued first, text frames close the connection
 * [MQTT-6.0.0-1].
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { WebSocketTransport } from '../../../src/listeners/ws-transport.js';

interface Pair {
  transport: WebSocketTransport;
  client: WebSocket;
  frames: Buffer[];
  closed: Promise<boolean>;
  clientClosed: Promise<number>;
}

async function pair(t: { after(fn: () => unknown): void }): Promise<Pair> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  t.after(() => {
    // The server's close waits for its connections; end them first.
    for (const ws of wss.clients) ws.terminate();
    return new Promise((r) => wss.close(r));
  });
  await new Promise((r) => wss.once('listening', r));
  const { port } = wss.address() as AddressInfo;
  const accepted = new Promise<WebSocket>((r) => wss.once('connection', r));
  const client = new WebSocket(`ws://127.0.0.1:${port}`, 'mqtt');
  const frames: Buffer[] = [];
  client.on('message', (data: Buffer) => frames.push(data));
  const clientClosed = new Promise<number>((r) => client.once('close', r));
  await new Promise((r) => client.once('open', r));
  const transport = new WebSocketTransport(await accepted, {
    remoteAddress: '127.0.0.1',
    remotePort: 1,
  });
  const closed = new Promise<boolean>((resolve) =>
    transport.start({ onData: () => {}, onDrain: () => {}, onClose: resolve }),
  );
  return { transport, client, frames, closed, clientClosed };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('WebSocketTransport', () => {
  test('the writes of one turn make one frame', async (t) => {
    const p = await pair(t);
    p.transport.write(Buffer.from([1, 2]));
    p.transport.write(Buffer.from([3]));
    p.transport.write(Buffer.from([4, 5, 6]));
    assert.equal(p.transport.bufferedBytes, 6);
    await until(() => p.frames.length > 0);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(p.frames, [Buffer.from([1, 2, 3, 4, 5, 6])]);
  });

  test('writes in separate turns make separate frames', async (t) => {
    const p = await pair(t);
    p.transport.write(Buffer.from([1]));
    await new Promise((r) => setImmediate(r));
    p.transport.write(Buffer.from([2]));
    await until(() => p.frames.length === 2);
    assert.deepEqual(p.frames, [Buffer.from([1]), Buffer.from([2])]);
  });

  test('end() sends what is queued, then closes', async (t) => {
    const p = await pair(t);
    p.transport.write(Buffer.from([7, 7]));
    p.transport.end();
    assert.equal(await p.clientClosed, 1000);
    assert.deepEqual(p.frames, [Buffer.from([7, 7])]);
    assert.equal(await p.closed, false);
  });

  test('a text frame closes the connection [MQTT-6.0.0-1]', async (t) => {
    const p = await pair(t);
    p.client.send('CONNECT as text');
    assert.equal(await p.clientClosed, 1003);
    await p.closed;
  });
});
