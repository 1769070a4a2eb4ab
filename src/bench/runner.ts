/**
 * Runs one scenario against one broker: a fresh broker process (or the
 * shared one with --reuse-brokers), the scenario, and a verdict on what
 * went wrong if anything did. Never turns a failure into a number.
 */
import { mkdirSync } from 'node:fs';
import { BrokerProcess, freePort } from './brokers/broker-process.js';
import type { BrokerDef, BrokerFeatures } from './brokers/brokers.js';
import type { GeneratorPool } from './gen/pool.js';
import { awaitQuiet, LoadMeter } from './load-meter.js';
import type { Pinning } from './machine.js';
import type { Options } from './options.js';
import type { Progress } from './report/progress.js';
import type { BrokerRun } from './report/results.js';
import type { Scenario } from './scenarios/types.js';

export class Runner {
  readonly #options: Options;
  readonly #pool: GeneratorPool;
  readonly #pinning: Pinning;
  readonly #progress: Progress;
  readonly #dir: string;
  readonly #shared = new Map<string, BrokerProcess>();
  #runs = 0;

  constructor(
    options: Options,
    pool: GeneratorPool,
    pinning: Pinning,
    progress: Progress,
    dir: string,
  ) {
    this.#options = options;
    this.#pool = pool;
    this.#pinning = pinning;
    this.#progress = progress;
    this.#dir = dir;
  }

  async run(scenario: Scenario, def: BrokerDef): Promise<BrokerRun> {
    const broker = def.name;
    const unavailable = def.unavailable();
    if (unavailable) return { broker, outcome: null, skipped: unavailable };
    const n = ++this.#runs;
    const name = `${String(n).padStart(3, '0')}-${scenario.id}-${broker}`;
    const dir = `${this.#dir}/brokers/${name}`;
    mkdirSync(dir, { recursive: true });
    if (this.#options.waitQuiet > 0) {
      await awaitQuiet(this.#options.waitQuiet, (load) =>
        this.#progress.status('wait', 0, `other processes use ${load.toFixed(2)} cores`),
      );
    }
    const lacks = def.lacks(
      scenario.features,
      this.#launch(dir, 0, def, scenario.features),
    );
    if (lacks) return { broker, outcome: null, skipped: lacks };
    let proc: BrokerProcess;
    try {
      proc = await this.#broker(def, scenario.features, dir);
    } catch (error) {
      return { broker, outcome: null, failed: (error as Error).message };
    }
    try {
      const outcome = await scenario.run({
        broker: proc,
        pool: this.#pool,
        settings: this.#options.settings,
        prefix: `mb${n}-${Date.now().toString(36)}`,
        status: (phase, fraction, detail) =>
          this.#progress.status(phase, fraction, detail),
        meter: () => new LoadMeter(proc.pid, this.#pinning.broker),
      });
      if (this.#pinning.broker !== null) outcome.brokerPinned = true;
      if (!proc.running) {
        return { broker, outcome, failed: `broker exited: ${proc.logTail()}` };
      }
      return { broker, outcome };
    } catch (error) {
      const died = proc.running ? '' : ` (broker exited: ${proc.logTail()})`;
      return { broker, outcome: null, failed: `${(error as Error).message}${died}` };
    } finally {
      if (!this.#options.reuseBrokers) await proc.stop();
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#shared.values()].map((b) => b.stop()));
    this.#shared.clear();
  }

  async #broker(def: BrokerDef, features: BrokerFeatures, dir: string) {
    const key = `${def.name}:${features.persistence}:${features.inflight}`;
    const shared = this.#shared.get(key);
    if (shared?.running) return shared;
    const proc = await BrokerProcess.start(
      def,
      this.#launch(dir, await freePort(), def, features),
      this.#pinning.broker,
    );
    if (this.#options.reuseBrokers) this.#shared.set(key, proc);
    return proc;
  }

  #launch(dir: string, port: number, def: BrokerDef, features: BrokerFeatures) {
    // The profile lands beside the broker's log, named by scenario and run.
    const profile = this.#options.profile && def.name === 'midge';
    const nodeFlags = profile ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
    return { port, dir, features, nodeFlags };
  }
}
