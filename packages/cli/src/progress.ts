/**
 * A progress bar on stderr: redrawn in place on a terminal, one line per quarter otherwise (CI logs).
 *
 * @example
 * const bar = new ProgressBar('explain', 3, process.stderr);
 * bar.update(1, 'chelsea.png');
 * bar.done();
 */
export class ProgressBar {
  readonly #label: string;
  readonly #total: number;
  readonly #stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly #started = performance.now();
  #lastQuarter = -1;

  constructor(label: string, total: number, stream: NodeJS.WritableStream & { isTTY?: boolean }) {
    this.#label = label;
    this.#total = Math.max(1, total);
    this.#stream = stream;
  }

  /** Shows `done` of `total`, with an optional note (the current file). */
  update(done: number, note = ''): void {
    const fraction = Math.min(1, Math.max(0, done / this.#total));
    const seconds = ((performance.now() - this.#started) / 1000).toFixed(1);
    if (this.#stream.isTTY === true) {
      const width = 24;
      const filled = Math.round(fraction * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      const line = `${this.#label} ${bar} ${String(Math.round(fraction * 100)).padStart(3)}% ${seconds}s ${note}`;
      this.#stream.write(
        `\r${line.slice(0, (this.#stream.columns ?? 100) - 1).padEnd(Math.min(99, this.#stream.columns ?? 99))}`,
      );
      return;
    }
    const quarter = Math.floor(fraction * 4);
    if (quarter > this.#lastQuarter) {
      this.#lastQuarter = quarter;
      this.#stream.write(`${this.#label}: ${Math.round(fraction * 100)}% (${seconds}s) ${note}\n`);
    }
  }

  /** Ends the bar (a newline on a terminal). */
  done(): void {
    this.update(this.#total);
    if (this.#stream.isTTY === true) this.#stream.write('\n');
  }
}
