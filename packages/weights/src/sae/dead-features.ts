/**
 * Counts, per feature, the activations seen since it last fired (was > 0). A feature is dead when it fired on
 * none of the last `window` activations (or, before `window` activations were seen, on none so far).
 */
export class DeadFeatureTracker {
  readonly #since: Float64Array;
  readonly #window: number;
  #seen = 0;

  constructor(features: number, window: number) {
    this.#since = new Float64Array(features);
    this.#window = window;
  }

  /** Records a batch of `rows` activations; `fired[j]` is non-zero when feature j fired on one of them. */
  update(fired: ArrayLike<number>, rows: number): void {
    this.#seen += rows;
    for (let j = 0; j < this.#since.length; j++) {
      this.#since[j] = (fired[j] ?? 0) > 0 ? 0 : (this.#since[j] ?? 0) + rows;
    }
  }

  /** The fraction of features that are dead now. */
  deadFraction(): number {
    if (this.#seen === 0) return 0;
    const limit = Math.min(this.#window, this.#seen);
    let dead = 0;
    for (const since of this.#since) if (since >= limit) dead++;
    return dead / this.#since.length;
  }
}
