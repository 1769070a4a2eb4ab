/**
 * How much CPU processes other than the broker and the generator took
 * during a measuring window. On a shared machine another job can take the
 * broker's core and make any figure meaningless; this says so instead of
 * letting a number pass as a measurement.
 */
import { busyTicksPerCpu, cpuSeconds, ticksPerSecond } from './brokers/proc.js';

export interface LoadReport {
  /** Cores' worth of CPU used by other processes over the window. */
  others: number;
  /** Of that, on the broker's core (null when the broker is not pinned). */
  othersOnBrokerCore: number | null;
}

function cpuList(spec: string | null): number[] | null {
  if (spec === null) return null;
  const cores: number[] = [];
  for (const part of spec.split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let c = a!; c <= (b ?? a!); c++) cores.push(c);
  }
  return cores;
}

/** Seconds below which /proc/stat's clock ticks are too coarse. */
const shortest = 0.5;

export class LoadMeter {
  readonly #pid: number;
  readonly #brokerCores: number[] | null;
  #at = 0;
  #busy: number[] = [];
  #broker = 0;
  #self = 0;

  constructor(brokerPid: number, brokerCores: string | null) {
    this.#pid = brokerPid;
    this.#brokerCores = cpuList(brokerCores);
  }

  begin(): void {
    this.#at = performance.now();
    this.#busy = busyTicksPerCpu();
    this.#broker = cpuSeconds(this.#pid);
    this.#self = selfSeconds();
  }

  /** The load over the window; undefined if too short to tell in clock ticks. */
  end(): LoadReport | undefined {
    const seconds = (performance.now() - this.#at) / 1000;
    if (seconds < shortest) return undefined;
    const hz = ticksPerSecond();
    const busy = busyTicksPerCpu();
    const used = (cores: number[]) =>
      cores.reduce((n, c) => n + ((busy[c] ?? 0) - (this.#busy[c] ?? 0)), 0) /
      hz /
      seconds;
    const broker = (cpuSeconds(this.#pid) - this.#broker) / seconds;
    const self = (selfSeconds() - this.#self) / seconds;
    const all = used(busy.map((_, i) => i));
    const onBroker = this.#brokerCores === null ? null : used(this.#brokerCores) - broker;
    return {
      others: Math.max(0, all - broker - self),
      othersOnBrokerCore: onBroker === null ? null : Math.max(0, onBroker),
    };
  }
}

function selfSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** CPU (in cores) used by processes other than this one over `ms`. */
export async function othersLoad(ms: number): Promise<number> {
  const hz = ticksPerSecond();
  const before = busyTicksPerCpu().reduce((a, b) => a + b, 0);
  const self = selfSeconds();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const busy = (busyTicksPerCpu().reduce((a, b) => a + b, 0) - before) / hz;
  return Math.max(0, (busy - (selfSeconds() - self)) / (ms / 1000));
}

/**
 * Waits until other processes leave the machine nearly idle, for at most
 * `maxSeconds`; returns their load when it stopped waiting.
 */
export async function awaitQuiet(
  maxSeconds: number,
  show: (load: number) => void,
): Promise<number> {
  const deadline = Date.now() + maxSeconds * 1000;
  for (;;) {
    const load = await othersLoad(500);
    if (load < quietBelow || Date.now() >= deadline) return load;
    show(load);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Other processes' load (cores) under which the machine counts as quiet. */
export const quietBelow = 0.1;
