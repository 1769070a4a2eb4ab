/**
 * The machine a run happens on, and how broker and generator share its
 * cores: with two or more, the broker gets core 0 and the generator the
 * rest (taskset, from util-linux), so neither steals the other's CPU.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { openFileLimit } from './brokers/proc.js';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  openFiles: number;
  taskset: boolean;
}

export interface Pinning {
  broker: string | null;
  generator: string | null;
  note: string;
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function cpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    return /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): Machine {
  return {
    cpus: cpus().length,
    cpuModel: cpuModel(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    openFiles: openFileLimit(),
    taskset: hasTaskset(),
  };
}

export function planPinning(machine: Machine, wanted: boolean): Pinning {
  if (!wanted) return { broker: null, generator: null, note: 'pinning off (--no-pin)' };
  if (!machine.taskset) {
    return { broker: null, generator: null, note: 'taskset not found: not pinned' };
  }
  if (machine.cpus < 2) {
    return {
      broker: null,
      generator: null,
      note: 'one core: broker and generator share it',
    };
  }
  const generator = machine.cpus === 2 ? '1' : `1-${machine.cpus - 1}`;
  return {
    broker: '0',
    generator,
    note: `broker on core 0, generator on core(s) ${generator}`,
  };
}

/** Moves this process (every thread) onto the generator's cores. */
export function pinSelf(pinning: Pinning): void {
  if (pinning.generator === null) return;
  execFileSync('taskset', ['-a', '-p', '-c', pinning.generator, String(process.pid)], {
    stdio: 'ignore',
  });
}
