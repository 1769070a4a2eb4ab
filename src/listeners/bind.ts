/**
 * Opening a listener's sockets: one per address for TCP (IPv4 and IPv6
 * for "every address" or `localhost`, or the addresses of bind_interface),
 * or one Unix socket. Log lines are Mosquitto's.
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
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
}

interface Bind {
  host: string;
  family: SocketDomain;
}

/** Mosquitto binds Unix sockets under umask 0007. */
const UNIX_SOCKET_MODE = 0o770;

export class BindError extends Error {}

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
      const server = await listenTcp(bind, port, onConnection, log, binds.length > 1);
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

/** Resolves undefined when an optional address family is missing. */
function listenTcp(
  bind: Bind,
  port: number,
  onConnection: (socket: Socket) => void,
  log: Logger,
  oneOfMany: boolean,
): Promise<Server | undefined> {
  const server = createServer(onConnection);
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      // IPv6 may be missing on the host: like Mosquitto, carry on with the
      // other sockets when one of several addresses cannot be had.
      if (oneOfMany && bind.family === 'ipv6' && error.code === 'EADDRNOTAVAIL') {
        log.write(LogType.Warning, `Warning: ipv6 unavailable (${error.code}).`);
        resolve(undefined);
      } else reject(error);
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
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new BindError(`Unable to bind unix socket "${path}": ${error.code}.`)),
    );
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
