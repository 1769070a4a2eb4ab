/**
 * Opening a listener's sockets: one per address for TCP (IPv4 and IPv6
 * for "every address" or `localhost`, or the addresses of bind_interface),
 * or one Unix socket. Log lines are Mosquitto's.
 */
import { chmodSync, existsSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dirname } from 'node:path';
import { errnoText } from '../io/errno-text.js';
import { type Logger, LogType } from '../log/log-types.js';

export type SocketDomain = 'ipv4' | 'ipv6';

export interface BindSpec {
  /** 0 picks a free port (TCP). */
  port: number;
  /** Addresses to bind; empty = every IPv4 and IPv6 address. */
  hosts: string[];
  socketDomain?: SocketDomain;
  /** Bind the addresses of this network interface instead. */
  bindInterface?: string;
  /** A Unix socket path: then port and hosts are not used. */
  unixPath?: string;
  /**
   * The listener of local-only mode (no listener configured, or -p): as
   * Mosquitto's, it opens whichever of its addresses it can, logging the
   * others; the broker fails only when no such listener got any.
   */
  localOnly?: boolean;
}

interface Bind {
  host: string;
  family: SocketDomain;
}

/** Mosquitto binds Unix sockets under umask 0007. */
const UNIX_SOCKET_MODE = 0o770;

export class BindError extends Error {
  /** `logged`: the reason is in the log already; say nothing more. */
  constructor(
    message: string,
    readonly logged = false,
  ) {
    super(message);
  }
}

/**
 * Opens every socket of a listener; closes them all if one fails. A
 * websockets listener logs one line for all its sockets, as Mosquitto's.
 */
export async function openServers(
  spec: BindSpec,
  log: Logger,
  onConnection: (socket: Socket) => void,
  websockets = false,
): Promise<Server[]> {
  if (spec.unixPath !== undefined)
    return [await openUnix(spec.unixPath, log, onConnection)];
  const servers: Server[] = [];
  const binds = bindsFor(spec);
  let port = spec.port;
  if (websockets) {
    log.write(LogType.Notice, `Opening websockets listen socket on port ${spec.port}.`);
  }
  try {
    for (const bind of binds) {
      if (!websockets) {
        log.write(
          LogType.Notice,
          `Opening ${bind.family} listen socket on port ${port}.`,
        );
      }
      const server = await listenTcp(bind, port, onConnection, log, {
        oneOfMany: binds.length > 1,
        localOnly: spec.localOnly === true,
        websockets,
      });
      if (server === undefined) continue;
      servers.push(server);
      if (port === 0) {
        // Port 0 picks a free port; the other addresses take the same one.
        port = (server.address() as { port: number }).port;
        log.write(LogType.Notice, `Listening on port ${port}.`);
      }
    }
  } catch (error) {
    await closeServers(servers);
    throw error;
  }
  return servers;
}

export function closeServers(servers: Server[]): Promise<void> {
  return Promise.all(
    servers.map(
      (server) => new Promise<void>((resolve) => server.close(() => resolve())),
    ),
  ).then(() => undefined);
}

interface Tolerance {
  /** The listener has other addresses to fall back on. */
  oneOfMany: boolean;
  /**
   * Local-only mode: any address may fail; the server fails only when no
   * port of it got any address (see Server.start).
   */
  localOnly: boolean;
  /** A websockets listener words any failure as Mosquitto does for one. */
  websockets: boolean;
}

/**
 * Resolves undefined when an address may be done without (see Tolerance);
 * otherwise a failure rejects with the system's wording of it.
 */
function listenTcp(
  bind: Bind,
  port: number,
  onConnection: (socket: Socket) => void,
  log: Logger,
  tolerance: Tolerance,
): Promise<Server | undefined> {
  const server = createServer(onConnection);
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const text = errnoText(error.code) ?? error.message;
      if (tolerance.localOnly && tolerance.oneOfMany) {
        log.write(LogType.Error, `Error: ${text}`);
        resolve(undefined);
      } else if (
        // IPv6 may be missing on the host: like Mosquitto, carry on with the
        // other sockets when one of several addresses cannot be had.
        tolerance.oneOfMany &&
        bind.family === 'ipv6' &&
        error.code === 'EADDRNOTAVAIL'
      ) {
        log.write(LogType.Warning, `Warning: ipv6 unavailable (${error.code}).`);
        resolve(undefined);
      } else if (tolerance.websockets) {
        reject(new BindError(`Unable to create websockets listener on port ${port}.`));
      } else reject(new BindError(text));
    });
    const ipv6Only = bind.family === 'ipv6';
    server.listen({ port, host: bind.host, ipv6Only }, () => {
      server.removeAllListeners('error');
      server.on('error', (error) =>
        log.write(LogType.Error, `Error: listener: ${error.message}`),
      );
      resolve(server);
    });
  });
}

function openUnix(
  path: string,
  log: Logger,
  onConnection: (socket: Socket) => void,
): Promise<Server> {
  log.write(LogType.Information, `Opening unix listen socket on path ${path}.`);
  removeStaleSocket(path);
  const server = createServer(onConnection);
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const text = errnoText(unixBindCode(path, error)) ?? error.message;
      // Mosquitto's line has no "Error: " prefix: it is logged here whole.
      log.write(LogType.Error, `Error binding unix socket: ${text}`);
      reject(new BindError(`cannot bind unix socket "${path}": ${text}`, true));
    });
    server.listen({ path }, () => {
      server.removeAllListeners('error');
      server.on('error', (error) =>
        log.write(LogType.Error, `Error: listener: ${error.message}`),
      );
      chmodSync(path, UNIX_SOCKET_MODE);
      resolve(server);
    });
  });
}

/**
 * libuv reports a missing directory as EACCES when it binds a Unix socket;
 * the system said ENOENT, which is what Mosquitto shows.
 */
function unixBindCode(path: string, error: NodeJS.ErrnoException): string | undefined {
  if (error.code === 'EACCES' && !existsSync(dirname(path))) return 'ENOENT';
  return error.code;
}

/**
 * A socket file left by a previous run would make the bind fail; Mosquitto
 * removes whatever is at the path, midge only a socket.
 */
function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // Nothing there, or not ours to remove: the bind will say.
  }
}

export function bindsFor(spec: BindSpec): Bind[] {
  let hosts = spec.hosts.length > 0 ? spec.hosts : ['0.0.0.0', '::'];
  if (spec.bindInterface !== undefined) {
    const families = new Set(hosts.map(familyOf));
    hosts = interfaceAddresses(spec.bindInterface).filter((a) =>
      families.has(familyOf(a)),
    );
  }
  const binds = hosts.map((host): Bind => ({ host, family: familyOf(host) }));
  const domain = spec.socketDomain;
  const chosen = domain ? binds.filter((bind) => bind.family === domain) : binds;
  if (chosen.length === 0) {
    const what = spec.bindInterface ?? spec.hosts.join(' ');
    throw new BindError(`No ${domain ?? ''} address to listen on for "${what}".`);
  }
  return chosen;
}

/** The addresses of a network interface (bind_interface). */
export function interfaceAddresses(name: string): string[] {
  const addresses = networkInterfaces()[name];
  if (addresses === undefined) {
    throw new BindError(`bind_interface: there is no network interface "${name}".`);
  }
  // Link-local IPv6 addresses only mean something with their interface.
  return addresses.map((a) =>
    a.family === 'IPv6' && a.scopeid ? `${a.address}%${name}` : a.address,
  );
}

function familyOf(host: string): SocketDomain {
  return host.includes(':') ? 'ipv6' : 'ipv4';
}
