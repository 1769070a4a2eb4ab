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

/**
 * The settings of `socket`. While it has data in flight, `ss` shows the
 * retransmission timer instead of the keep-alive one, so this waits
 * (up to `ms`) for the socket to settle first.
 */
export async function readTcpSettings(socket: Socket, ms = 3000): Promise<TcpReadback> {
  const lib = createRequire(import.meta.url)('net-keepalive') as KeepaliveGetters;
  const deadline = Date.now() + ms;
  let timer = ssTimer(socket.localPort!);
  while (timer?.kind === 'on' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    timer = ssTimer(socket.localPort!);
  }
  return {
    interval: lib.getKeepAliveInterval(socket),
    probes: lib.getKeepAliveProbes(socket),
    userTimeout: lib.getUserTimeout(socket),
    keepaliveTimer: timer?.kind === 'keepalive' ? timer.seconds : null,
  };
}

/** `ss` shows e.g. timer:(keepalive,1min16sec,0), or (on,...) while sending. */
function ssTimer(localPort: number): { kind: string; seconds: number } | null {
  const filter = `( sport = :${localPort} )`;
  const out = execFileSync('ss', ['-tnoH', 'state', 'established', filter]).toString();
  const m = /timer:\((\w+),(?:(\d+)min)?(?:([\d.]+)sec)?/.exec(out);
  if (m === null) return null;
  return { kind: m[1]!, seconds: Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) };
}
