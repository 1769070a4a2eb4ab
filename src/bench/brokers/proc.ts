/** Figures about a running process, read from Linux's /proc. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicks = 0;

export function ticksPerSecond(): number {
  if (clockTicks === 0) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
    } catch {
      clockTicks = 100;
    }
    if (!Number.isFinite(clockTicks) || clockTicks <= 0) clockTicks = 100;
  }
  return clockTicks;
}

/** Resident set size in KiB (VmRSS), or NaN if the process is gone. */
export function rssKiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** CPU time of all threads in seconds, in user space and in the kernel. */
export interface CpuTimes {
  user: number;
  system: number;
}

/** The process's CPU times, NaN once it is gone. */
export function cpuTimes(pid: number): CpuTimes {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const hz = ticksPerSecond();
    return { user: Number(fields[11]) / hz, system: Number(fields[12]) / hz };
  } catch {
    return { user: Number.NaN, system: Number.NaN };
  }
}

/** CPU time (user + system, all threads) in seconds, or NaN. */
export function cpuSeconds(pid: number): number {
  const { user, system } = cpuTimes(pid);
  return user + system;
}

/** The soft limit on open files of this process, from /proc/self/limits. */
export function openFileLimit(): number {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    if (!match) return Number.NaN;
    return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
  } catch {
    return Number.NaN;
  }
}

/** Busy ticks per CPU (user, nice, system, irq, softirq, steal) from /proc/stat. */
export function busyTicksPerCpu(): number[] {
  try {
    const stat = readFileSync('/proc/stat', 'utf8');
    const busy: number[] = [];
    for (const line of stat.split('\n')) {
      const match = /^cpu(\d+)\s+(.*)$/.exec(line);
      if (!match) continue;
      const f = match[2]!.split(/\s+/).map(Number);
      busy[Number(match[1])] = f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!;
    }
    return busy;
  } catch {
    return [];
  }
}
