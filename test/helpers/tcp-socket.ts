/**
 * Reading back the TCP settings of a connection this test process opened:
 * the socket is found among the process's active handles, and its
 * options read with getsockopt() through net-keepalive, as midge sets
 * them, or from `ss` (the keep-alive timer, which shows the idle time).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';

interface KeepaliveGetters {
  getKeepAliveInterval(socket: Socket): number;
  getKeepAliveProbes(socket: Socket): number;
  getUserTimeout(socket: Socket): number;
}

/** The open TCP socket of this process connected to 127.0.0.1:`port`. */
export function socketTo(port: number): Socket {
  const handles = (
    process as unknown as { _getActiveHandles(): unknown[] }
  )._getActiveHandles();
  const found = handles.find(
    (h): h is Socket => h instanceof Socket && h.remotePort === port,
  );
  if (found === undefined) throw new Error(`no socket to port ${port}`);
  return found;
}

export interface TcpReadback {
  /** ms */
  interval: number;
  probes: number;
  /** ms */
  userTimeout: number;
  /** Seconds left on the keep-alive timer, or null when there is none. */
  keepaliveTimer: number | null;
}

export function readTcpSettings(socket: Socket): TcpReadback {
  const lib = createRequire(import.meta.url)('net-keepalive') as KeepaliveGetters;
  return {
    interval: lib.getKeepAliveInterval(socket),
    probes: lib.getKeepAliveProbes(socket),
    userTimeout: lib.getUserTimeout(socket),
    keepaliveTimer: keepaliveTimer(socket.localPort!),
  };
}

/** `ss` shows e.g. timer:(keepalive,1min16sec,0) for a socket with keep-alive. */
function keepaliveTimer(localPort: number): number | null {
  const out = execFileSync('ss', [
    '-tnoH',
    'state',
    'established',
    `( sport = :${localPort} )`,
  ]).toString();
  const m = /timer:\(keepalive,(?:(\d+)min)?(?:([\d.]+)sec)?/.exec(out);
  if (m === null) return null;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}
