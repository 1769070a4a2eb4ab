/**
 * Runs the files of confs/ the way an operator would: each run gets a
 * fresh folder holding a copy of the whole collection with its
 * placeholders filled (`@DIR@` is that folder, every other `@NAME@` a free
 * port of 127.0.0.1), the certificates under certs/ and the folders a
 * package would create (run/, lib/, log/). The broker, midge or Debian's
 * mosquitto, is started from that folder with `-c FILE`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { freePort, midgeBin } from '../helpers/broker.js';

export const CONFS = join(import.meta.dirname, 'confs');

export type BrokerKind = 'midge' | 'mosquitto';

/**
 * Options that only Mosquitto 2.1 (and midge) know. Debian's 2.0.11 stops
 * on them, so they are left out of the copy it reads; the test says which.
 */
export const MOSQUITTO_21_ONLY = new Set([
  'accept_protocol_versions',
  'enable_proxy_protocol',
  'proxy_protocol_v2_require_tls',
  'websockets_origin',
  'disable_client_cert_date_checks',
  'global_plugin',
  'max_topic_alias_broker',
]);

export interface Run {
  kind: BrokerKind;
  /** The folder `@DIR@` stands for. */
  dir: string;
  /** The port a placeholder such as `PORT1` was given. */
  port(name: string): number;
  /** Lines left out of the copy mosquitto 2.0.11 reads, by file. */
  leftOut: Map<string, string[]>;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

const PLACEHOLDER = /@([A-Z][A-Z0-9_]*)@/g;

async function portsFor(names: Iterable<string>): Promise<Map<string, number>> {
  const ports = new Map<string, number>();
  const taken = new Set<number>();
  for (const name of names) {
    let port = await freePort();
    while (taken.has(port)) port = await freePort();
    taken.add(port);
    ports.set(name, port);
  }
  return ports;
}

/** Drops the 2.1-only option lines of every .conf in the folder. */
function stripFor20(dir: string): Map<string, string[]> {
  const leftOut = new Map<string, string[]>();
  for (const file of walk(dir).filter((f) => f.endsWith('.conf'))) {
    const lines = readFileSync(file, 'utf8').split('\n');
    const dropped = lines.filter((line) => MOSQUITTO_21_ONLY.has(line.split(' ')[0]!));
    leftOut.set(file, dropped);
    writeFileSync(file, lines.filter((line) => !dropped.includes(line)).join('\n'));
  }
  return leftOut;
}

/**
 * A filled copy of the collection for one broker run, removed when the
 * test ends. Debian's mosquitto started as root reads its files and
 * writes its database as user "mosquitto": folders are open to all.
 */
export async function prepareRun(
  t: TestContext,
  kind: BrokerKind,
  certs: string,
): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'midge-cc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(CONFS, dir, { recursive: true });
  cpSync(certs, join(dir, 'certs'), { recursive: true, verbatimSymlinks: true });
  for (const sub of ['run', 'lib', 'log']) mkdirSync(join(dir, sub));
  const files = walk(dir).filter((f) => !f.startsWith(join(dir, 'certs')));
  const names = new Set<string>();
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(PLACEHOLDER)) names.add(m[1]!);
  }
  names.delete('DIR');
  const ports = await portsFor(names);
  for (const file of files) {
    const text = readFileSync(file, 'utf8').replace(PLACEHOLDER, (_, name: string) =>
      name === 'DIR' ? dir : String(ports.get(name)),
    );
    writeFileSync(file, text);
  }
  openToAll(dir);
  const leftOut = kind === 'mosquitto' ? stripFor20(dir) : new Map<string, string[]>();
  const port = (name: string) => {
    const value = ports.get(name);
    if (value === undefined) throw new Error(`no placeholder @${name}@`);
    return value;
  };
  return { kind, dir, port, leftOut };
}

function openToAll(path: string): void {
  const isDir = statSync(path).isDirectory();
  chmodSync(path, isDir ? 0o777 : 0o644);
  if (isDir) for (const name of readdirSync(path)) openToAll(join(path, name));
}

/** A listener as the file declares it. */
export type Listener =
  | { kind: 'tcp'; port: number; websockets: boolean }
  | { kind: 'unix'; path: string };

/** A filled file and the files its include_dir reads, in order. */
export function filesOf(file: string): string[] {
  const included = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('include_dir '))
    .flatMap((line) => {
      const folder = line.slice('include_dir '.length);
      return readdirSync(folder)
        .filter((name) => name.endsWith('.conf'))
        .sort()
        .map((name) => join(folder, name));
    });
  return [file, ...included];
}

/**
 * The listeners of a filled file and of the files its include_dir reads:
 * `listener PORT [HOST]`, `listener 0 PATH` and the deprecated `port`.
 */
export function listenersOf(file: string): Listener[] {
  const out: Listener[] = [];
  for (const path of filesOf(file)) {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const [option, first, second] = line.split(' ');
      if (option === 'listener' && first === '0' && second) {
        out.push({ kind: 'unix', path: second });
      } else if (option === 'listener' || option === 'port') {
        out.push({ kind: 'tcp', port: Number(first), websockets: false });
      } else if (option === 'protocol' && first === 'websockets') {
        const last = out.at(-1);
        if (last?.kind === 'tcp') last.websockets = true;
      }
    }
  }
  return out;
}

export interface RunningBroker {
  process: ChildProcess;
  output(): string;
  /** SIGTERM, as systemd stops it; resolves when it has exited. */
  stop(): Promise<void>;
}

/** Starts the broker on one file of the run; stopped when the test ends. */
export function startBroker(t: TestContext, run: Run, file: string): RunningBroker {
  const config = join(run.dir, file);
  const child =
    run.kind === 'mosquitto'
      ? spawn('mosquitto', ['-c', config], { cwd: run.dir })
      : spawn(process.execPath, [midgeBin, '-c', config], { cwd: run.dir });
  t.after(() => stop(child));
  let text = '';
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return { process: child, output: () => text, stop: () => stop(child) };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Waits until every listener accepts a connection; throws with the
 * broker's output if it exits first or a listener never opens.
 */
export async function waitForListeners(
  broker: RunningBroker,
  listeners: Listener[],
  ms = 8000,
): Promise<void> {
  const deadline = Date.now() + ms;
  const pending = new Set(listeners);
  while (pending.size > 0) {
    const code = broker.process.exitCode;
    if (code !== null) throw new Error(`exited with ${code}:\n${broker.output()}`);
    for (const listener of [...pending]) {
      if (await accepts(listener)) pending.delete(listener);
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      const missing = [...pending].map((l) => (l.kind === 'unix' ? l.path : l.port));
      throw new Error(`no listener on ${missing.join(', ')}:\n${broker.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function accepts(listener: Listener): Promise<boolean> {
  return new Promise((resolve) => {
    const socket =
      listener.kind === 'unix'
        ? connect(listener.path)
        : connect(listener.port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs `midge --test-config -c FILE`; resolves with its status and output. */
export function testConfig(
  run: Run,
  file: string,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    [midgeBin, '--test-config', '-c', join(run.dir, file)],
    { cwd: run.dir },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) =>
    child.once('exit', (code) => resolve({ code, output })),
  );
}
