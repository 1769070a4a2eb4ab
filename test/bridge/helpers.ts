/**
 * Helpers of the bridge tests: a midge broker with bridges run inside the
 * test process (so its log lines and bridges can be looked at), Debian's
 * mosquitto and the midge command as child processes, and small MQTT
 * client helpers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import {
  type AddressInfo,
  createServer,
  type Server as NetServer,
  connect as netConnect,
  type Socket,
} from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BridgeManager, BridgeManagerOptions } from '../../src/bridge/index.js';
import { startBridges } from '../../src/cli/bridges.js';
import { serverSpec } from '../../src/cli/server-spec.js';
import {
  type ClientOptions,
  connect,
  type Message,
  type MqttClient,
} from '../../src/client/index.js';
import { parseCommandLine, parseConfig } from '../../src/config/index.js';
import { openPersistence } from '../../src/persistence/index.js';
import { createSecurity } from '../../src/security/index.js';
import { Server } from '../../src/server.js';
import { freePort, type RunningBroker, startBroker } from '../helpers/broker.js';
import { CaptureLog } from '../helpers/capture-log.js';

export { until } from '../helpers/wait.js';
export { CaptureLog, freePort };

/** A midge broker with bridges, inside this process. */
export interface BridgeHost {
  port: number;
  dir: string;
  server: Server;
  bridges: BridgeManager;
  log: CaptureLog;
  stop(): Promise<void>;
}

export type HostOptions = BridgeManagerOptions;

/**
 * Starts midge from a mosquitto.conf text (`conf(port)`, the port being
 * free for its listener) with its bridges, as the midge command does.
 */
export async function startHost(
  conf: (port: number) => string,
  options: HostOptions = {},
): Promise<BridgeHost> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'midge-bridge-'));
  const file = join(dir, 'midge.conf');
  const text = conf(port);
  writeFileSync(file, text);
  const config = parseConfig(text, file);
  const log = new CaptureLog();
  const server = new Server(serverSpec(config, parseCommandLine(['-c', file])), log);
  // Saved state, password and ACL files apply as in the midge command.
  const persistence = openPersistence(config, server.broker, log);
  const security = await createSecurity(config, server.broker, log);
  await server.start();
  const bridges = await startBridges(server.broker, config, log, options);
  let stopped = false;
  return {
    port,
    dir,
    server,
    bridges,
    log,
    async stop() {
      if (stopped) return;
      stopped = true;
      await bridges.stop();
      await server.stop();
      await security.close();
      persistence.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The midge command as a child process (dist/ must be built). */
export function startMidge(conf: (port: number) => string): Promise<RunningBroker> {
  return startBroker({ rawConfig: conf });
}

/**
 * Debian's mosquitto as a child process, on a free port of 127.0.0.1 or on
 * `knownPort`.
 */
export function startMosquitto(
  conf: (port: number) => string,
  knownPort?: number,
): Promise<RunningBroker> {
  return startBroker({ kind: 'mosquitto', rawConfig: conf, port: knownPort });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A connected test client on 127.0.0.1:port. */
export function client(port: number, options: ClientOptions = {}): Promise<MqttClient> {
  return connect({ host: '127.0.0.1', port, ...options });
}

/** Collects the messages a client receives. */
export class Inbox {
  readonly messages: Message[] = [];

  constructor(c: MqttClient) {
    c.on('message', (m) => {
      this.messages.push({ ...m, payload: Buffer.from(m.payload) });
    });
  }

  /** Topic and payload text of each message, as "topic payload". */
  lines(): string[] {
    return this.messages.map((m) => `${m.topic} ${m.payload.toString()}`);
  }

  /** Waits until `n` messages arrived; rejects after `ms`. */
  async waitCount(n: number, ms = 5000): Promise<Message[]> {
    const until = Date.now() + ms;
    while (this.messages.length < n) {
      if (Date.now() > until) {
        throw new Error(`got ${this.messages.length} of ${n} messages: ${this.lines()}`);
      }
      await sleep(10);
    }
    return this.messages;
  }
}

/** Resolves with the retained payload of `topic`, or undefined. */
export async function retainedPayload(
  port: number,
  topic: string,
  ms = 300,
): Promise<string | undefined> {
  const c = await client(port);
  const inbox = new Inbox(c);
  await c.subscribe(topic);
  await sleep(ms);
  await c.end();
  const retained = inbox.messages.find((m) => m.retain);
  return retained?.payload.toString();
}

/** The retained state a broker holds for its bridge ('1' up, '0' down). */
export function stateOn(port: number): Promise<string | undefined> {
  return retainedPayload(port, '$SYS/broker/connection/+/state', 100);
}

/**
 * The midge command on a port chosen by the caller, so that it can be
 * stopped and started again where a bridge expects it.
 */
export function startMidgeAt(
  port: number,
  conf: (port: number) => string = plainListener,
): Promise<RunningBroker> {
  return startBroker({ rawConfig: conf, port });
}

export const plainListener = (port: number): string =>
  `listener ${port} 127.0.0.1\nallow_anonymous true\n`;

/**
 * A TCP relay to 127.0.0.1:target that the test can close: while closed,
 * it hangs up on every connection at once. It lets a test decide when a
 * bridge may reach a restarted remote.
 */
export class Relay {
  readonly port: number;
  open = true;
  readonly #server: NetServer;
  readonly #sockets = new Set<Socket>();

  private constructor(server: NetServer, port: number) {
    this.#server = server;
    this.port = port;
  }

  static async start(target: number): Promise<Relay> {
    let relay: Relay | undefined;
    const server = createServer((socket) => relay?.accept(socket, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    relay = new Relay(server, (server.address() as AddressInfo).port);
    return relay;
  }

  accept(socket: Socket, target: number): void {
    socket.on('error', () => socket.destroy());
    if (!this.open) {
      socket.destroy();
      return;
    }
    const upstream = netConnect(target, '127.0.0.1');
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    socket.pipe(upstream);
    upstream.pipe(socket);
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
  }

  /** Drops the connections going through, as a network failure would. */
  cut(): void {
    for (const s of this.#sockets) s.destroy();
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
