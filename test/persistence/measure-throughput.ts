/**
 * QoS 1 throughput between persistent sessions, with midge's persistence
 * on and off: one publisher keeping a window of unacknowledged messages,
 * one subscriber with a persistent session acknowledging each message.
 * Not part of `npm test` (it takes ~15 s and wants an idle machine):
 *
 *   npm run build
 *   node --import tsx test/persistence/measure-throughput.ts [seconds] [window] [rounds]
 *
 * Prints delivered messages per second for each mode and their ratio, and
 * the broker's CPU time per message. MEASURE_PROF=<dir> writes a CPU
 * profile of each broker; MEASURE_PERF=1 counts the broker's writev and
 * pwrite64 calls with `perf stat`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, midgeBin } from '../helpers/broker.js';

const seconds = Number(process.argv[2] ?? 4);
const window = Number(process.argv[3] ?? 20);
const rounds = Number(process.argv[4] ?? 3);
const TOPIC = 'bench/t';

function connectPacket(clientId: string, clean: boolean): Buffer {
  const id = Buffer.from(clientId);
  const body = Buffer.concat([
    Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, clean ? 2 : 0, 0, 60]),
    Buffer.from([id.length >> 8, id.length & 0xff]),
    id,
  ]);
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}

function subscribePacket(): Buffer {
  const t = Buffer.from(TOPIC);
  const body = Buffer.concat([Buffer.from([0, 1, 0, t.length]), t, Buffer.from([1])]);
  return Buffer.concat([Buffer.from([0x82, body.length]), body]);
}

const payload = Buffer.alloc(16, 0x61);
function publishPacket(id: number): Buffer {
  const t = Buffer.from(TOPIC);
  const len = 2 + t.length + 2 + payload.length;
  const b = Buffer.allocUnsafe(2 + len);
  b[0] = 0x32;
  b[1] = len;
  b.writeUInt16BE(t.length, 2);
  t.copy(b, 4);
  b.writeUInt16BE(id, 4 + t.length);
  payload.copy(b, 6 + t.length);
  return b;
}

function ack(type: number, id: number): Buffer {
  return Buffer.from([type, 2, id >> 8, id & 0xff]);
}

/** Calls `onPacket(firstByte, body)` for each packet on the socket. */
function packets(socket: Socket, onPacket: (b0: number, body: Buffer) => void): void {
  let buf: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    let pos = 0;
    for (;;) {
      if (buf.length - pos < 2) break;
      let len = 0;
      let mult = 1;
      let i = pos + 1;
      let b: number;
      do {
        if (i >= buf.length) break;
        b = buf[i++] as number;
        len += (b & 0x7f) * mult;
        mult *= 128;
      } while (b & 0x80);
      if (i >= buf.length && len > 0) break;
      if (buf.length - i < len) break;
      onPacket(buf[pos] as number, buf.subarray(i, i + len));
      pos = i + len;
    }
    buf = buf.subarray(pos);
  });
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
  });
}

async function startMidge(
  persistence: boolean,
): Promise<{ child: ChildProcess; port: number; dir: string }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'midge-measure-'));
  const lines = [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'log_type error'];
  if (persistence) lines.push('persistence true', `persistence_location ${dir}`);
  writeFileSync(join(dir, 'm.conf'), `${lines.join('\n')}\n`);
  const prof = process.env.MEASURE_PROF
    ? ['--cpu-prof', '--cpu-prof-dir', process.env.MEASURE_PROF]
    : [];
  const argv = [process.execPath, ...prof, midgeBin, '-c', join(dir, 'm.conf')];
  const child = spawn(argv[0] as string, argv.slice(1), {
    stdio: 'inherit',
  });
  for (let i = 0; i < 100; i++) {
    try {
      (await open(port)).destroy();
      return { child, port, dir };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error('midge did not start');
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields =
    readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Result {
  /** Delivered messages per second. */
  rate: number;
  /** Broker CPU microseconds per delivered message. */
  cpu: number;
}

async function measure(persistence: boolean): Promise<Result> {
  const { child, port, dir } = await startMidge(persistence);
  let delivered = 0;
  const sub = await open(port);
  packets(sub, (b0, body) => {
    if (b0 >> 4 !== 3) return;
    delivered++;
    const tl = body.readUInt16BE(0);
    sub.write(ack(0x40, body.readUInt16BE(2 + tl)));
  });
  sub.write(connectPacket('measure-sub', false));
  sub.write(subscribePacket());
  await new Promise((r) => setTimeout(r, 200));
  const pub = await open(port);
  let next = 1;
  const send = () => {
    pub.write(publishPacket(next));
    next = next === 0xffff ? 1 : next + 1;
  };
  packets(pub, (b0) => {
    if (b0 === 0x20) for (let i = 0; i < window; i++) send();
    else if (b0 >> 4 === 4) send();
  });
  pub.write(connectPacket('measure-pub', true));
  await new Promise((r) => setTimeout(r, 1000));
  const start = delivered;
  const t0 = Date.now();
  const cpu0 = cpuSeconds(child.pid as number);
  const perf = process.env.MEASURE_PERF
    ? spawn(
        'perf',
        [
          'stat',
          '-e',
          'syscalls:sys_enter_writev,syscalls:sys_enter_pwrite64',
          '-p',
          String(child.pid),
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      )
    : undefined;
  let perfOut = '';
  perf?.stderr?.on('data', (c: Buffer) => {
    perfOut += c.toString();
  });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const n = delivered - start;
  if (perf) {
    perf.kill('SIGINT');
    await new Promise((r) => perf.once('exit', r));
    console.log(
      `${persistence ? 'on ' : 'off'} delivered ${n}:`,
      perfOut
        .split('\n')
        .filter((l) => l.includes('syscalls'))
        .join(' | '),
    );
  }
  const rate = (n * 1000) / (Date.now() - t0);
  const cpu = ((cpuSeconds(child.pid as number) - cpu0) * 1e6) / n;
  pub.destroy();
  sub.destroy();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  return { rate, cpu };
}

// Alternating rounds, medians: a single run on a busy machine varies a lot.
const offs: Result[] = [];
const ons: Result[] = [];
for (let i = 0; i < rounds; i++) {
  offs.push(await measure(false));
  ons.push(await measure(true));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const k = (n: number) => `${(n / 1000).toFixed(1)}k`;
const us = (n: number) => `${n.toFixed(1)}us`;
for (const [name, rs] of [
  ['off', offs],
  ['on ', ons],
] as const) {
  const rates = rs.map((r) => r.rate);
  const cpus = rs.map((r) => r.cpu);
  console.log(
    `persistence ${name}: ${k(median(rates))} msg/s, broker CPU ${us(median(cpus))}/msg ` +
      `(runs: ${rates.map(k).join(' ')}; ${cpus.map(us).join(' ')})`,
  );
}
const rateRatio = median(ons.map((r) => r.rate)) / median(offs.map((r) => r.rate));
const cpuRatio = median(offs.map((r) => r.cpu)) / median(ons.map((r) => r.cpu));
console.log(`throughput on/off: ${rateRatio.toFixed(2)}`);
console.log(`CPU-bound estimate on/off (CPU per message off/on): ${cpuRatio.toFixed(2)}`);
