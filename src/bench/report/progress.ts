/**
 * The live display: one status line rewritten in place on a terminal
 * (scenario, broker, phase, a bar and the current rate), and permanent
 * lines printed above it. Without a terminal only the permanent lines go
 * out, so logs stay readable.
 */
const barWidth = 20;

export class Progress {
  readonly #out: NodeJS.WriteStream;
  readonly #live: boolean;
  #prefix = '';
  #shown = false;
  #lastDraw = 0;

  constructor(out: NodeJS.WriteStream, quiet: boolean) {
    this.#out = out;
    this.#live = !quiet && out.isTTY === true;
  }

  /** Sets what is running: "[3/20] 1to1-q1-16B midge". */
  begin(label: string): void {
    this.#prefix = label;
    this.status('start', 0);
  }

  status(phase: string, fraction: number, detail = ''): void {
    if (!this.#live) return;
    const now = Date.now();
    if (now - this.#lastDraw < 80 && phase !== 'start') return;
    this.#lastDraw = now;
    const filled = Math.round(Math.max(0, Math.min(1, fraction)) * barWidth);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}`;
    const line = `${this.#prefix}  ${phase.padEnd(9)} [${bar}] ${detail}`;
    const width = this.#out.columns ?? 100;
    this.#out.write(`\r\x1b[K${line.slice(0, width - 1)}`);
    this.#shown = true;
  }

  /** Prints a permanent line (above the status line on a terminal). */
  line(text: string): void {
    this.clear();
    this.#out.write(`${text}\n`);
  }

  clear(): void {
    if (this.#shown) this.#out.write('\r\x1b[K');
    this.#shown = false;
  }
}
