/**
 * Process-level duties of the broker command: the pid file, running in the
 * background (-d), dropping root privileges (`user`), and telling systemd
 * that start-up is complete.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/** Set in the environment of the background copy started by -d. */
const daemonChildVariable = 'MIDGE_DAEMON_CHILD';

/**
 * -d: start a detached copy of this command without -d and let the caller
 * exit. Returns false in that copy (it should run the broker).
 */
export function daemonize(argv: string[]): boolean {
  if (process.env[daemonChildVariable] === '1') return false;
  const args = argv.filter((arg) => arg !== '-d' && arg !== '--daemon');
  const child = spawn(process.execPath, [...process.execArgv, ...args], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, [daemonChildVariable]: '1' },
  });
  child.unref();
  return true;
}

/** Writes the pid file; the returned function removes it at exit. */
export function writePidFile(path: string): () => void {
  writeFileSync(path, `${process.pid}\n`);
  return () => rmSync(path, { force: true });
}

/**
 * When started as root, switch to `user` and its groups; throws when the
 * switch fails (for example, no such user).
 */
export function dropPrivileges(user: string): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return;
  if (user === 'root') return;
  const gid = gidOf(user);
  // initgroups is POSIX-only and missing from Node's type declarations.
  const posix = process as NodeJS.Process & {
    initgroups?: (user: string, extraGroup: number | string) => void;
  };
  posix.initgroups?.(user, gid);
  process.setgid?.(gid);
  process.setuid?.(user);
}

/**
 * The user's primary group from /etc/passwd: Node's setuid takes a user
 * name but offers no look-up of that user's group.
 */
function gidOf(user: string): number | string {
  try {
    const entry = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((line) => line.startsWith(`${user}:`));
    const gid = entry?.split(':')[3];
    if (gid !== undefined) return Number(gid);
  } catch {
    // Fall through: setgid then reports the problem with the user's name.
  }
  return user;
}

/**
 * systemd `Type=notify`: report readiness through `systemd-notify`, which
 * needs `NotifyAccess=all` in the unit (see docs/systemd.md).
 */
export function notifySystemd(): void {
  if (!process.env.NOTIFY_SOCKET) return;
  execFile('systemd-notify', ['--ready', `--pid=${process.pid}`], () => {});
}
