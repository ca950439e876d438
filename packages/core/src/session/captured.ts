import type * as tf from '@tensorflow/tfjs-core';

import type { TargetJSON } from './target.js';

/**
 * What a session captured for one target. `value` is `undefined` until the target's module ran (or its
 * gradient was computed); after that it holds the selection of the latest call. A parameter is captured at
 * once, when `capture()` is called.
 *
 * Ownership: while the session is open, each new call disposes the previous `value` and stores the new one
 * (copy it with `tf.clone` to keep an earlier one). Once the session is closed, `value` is yours: dispose it
 * with {@link Captured.dispose} (or `using`) when done.
 *
 * @example
 * const fc1 = session.capture({ path: 'fc1', indices: [2] });
 * session.run(() => tf.tidy(() => model.call(x)));
 * session.close();
 * fc1.value?.print(); // [batch, 1]
 * fc1.dispose();
 */
export class Captured {
  /** The target, in canonical form. */
  readonly target: TargetJSON;
  #value: tf.Tensor | undefined;

  private constructor(target: TargetJSON) {
    this.target = target;
  }

  /** The captured selection of the latest call, or undefined if none happened yet (or it was disposed). */
  get value(): tf.Tensor | undefined {
    return this.#value;
  }

  /** Disposes the captured value; `value` is then undefined. Safe to call more than once. */
  dispose(): void {
    this.#value?.dispose();
    this.#value = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * A Captured with the function that stores into it; for sessions and methods, not for users.
   *
   * @example
   * const { captured, store } = Captured.create(normalizeTarget('fc1'));
   */
  static create(target: TargetJSON): { captured: Captured; store: (value: tf.Tensor) => void } {
    const captured = new Captured(target);
    return {
      captured,
      // A closure here, not a static block: bundlers keep a class with a static block even when unused.
      store: (value) => {
        captured.#value?.dispose();
        captured.#value = value;
      },
    };
  }
}
