/**
 * The runner's handle on the generator: a pool of worker threads, each
 * with a row of shared counters. Scenarios hand each worker its share of
 * clients and then drive all of them through the same commands.
 */
import { Worker } from 'node:worker_threads';
import { Counters } from './counters.js';
import type { Command, Reply } from './protocol.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

class WorkerHandle {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  constructor(counters: SharedArrayBuffer, index: number) {
    this.#worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { counters, index },
    });
    this.#worker.on('message', (reply: Reply) => {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (reply.ok) pending?.resolve(reply.result);
      else pending?.reject(new Error(reply.error));
    });
    this.#worker.on('error', (error) => {
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
    });
    // A worker keeps the runner alive only while a call is pending.
    this.#worker.unref();
  }

  call<T>(command: Command): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#worker.ref();
      this.#worker.postMessage({ id, command });
    });
  }

  terminate(): Promise<number> {
    return this.#worker.terminate();
  }
}

export class GeneratorPool {
  readonly counters: SharedArrayBuffer;
  readonly #workers: WorkerHandle[] = [];

  constructor(size: number) {
    this.counters = Counters.buffer(size);
    for (let i = 0; i < size; i++) this.#workers.push(new WorkerHandle(this.counters, i));
  }

  get size(): number {
    return this.#workers.length;
  }

  call<T>(worker: number, command: Command): Promise<T> {
    return this.#workers[worker]!.call<T>(command);
  }

  /** Sends a command to every worker (or the first `count`). */
  all<T>(command: Command | ((worker: number) => Command), count = this.size) {
    const calls: Promise<T>[] = [];
    for (let i = 0; i < count; i++) {
      calls.push(this.call<T>(i, typeof command === 'function' ? command(i) : command));
    }
    return Promise.all(calls);
  }

  total(counter: number): number {
    return Counters.total(this.counters, counter);
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
