/**
 * A progress bar on stderr: redrawn in place on a terminal, one line per quarter otherwise (CI logs). On a
 * terminal the bar's line has no newline until {@link ProgressBar.endLine} or {@link ProgressBar.done}: call
 * one before anything else is written to the stream (a warning, an error), or it lands on the bar's line.
 *
 * @example
 * const bar = new ProgressBar('explain', 3, process.stderr);
 * bar.update(1, 'chelsea.png');
 * bar.endLine();
 * process.stderr.write('warning: …\n');
 * bar.done();
 */
export class ProgressBar {
  readonly #label: string;
  readonly #total: number;
  readonly #stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly #started = performance.now();
  #lastQuarter = -1;
  /** Whether the terminal's current line is the bar's, not ended yet. */
  #drawn = false;

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
      this.#drawn = true;
      return;
    }
    const quarter = Math.floor(fraction * 4);
    if (quarter > this.#lastQuarter) {
      this.#lastQuarter = quarter;
      this.#stream.write(`${this.#label}: ${Math.round(fraction * 100)}% (${seconds}s) ${note}\n`);
    }
  }

  /**
   * Ends the bar's line on a terminal (if it is drawn), so that what is written next starts on a line of its
   * own; the next update draws the bar again below. Nothing to do on other streams: their lines are whole.
   */
  endLine(): void {
    if (!this.#drawn) return;
    this.#stream.write('\n');
    this.#drawn = false;
  }

  /** Completes the bar (100 %) and ends its line. */
  done(): void {
    this.update(this.#total);
    this.endLine();
  }
}
