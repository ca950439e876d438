import * as tf from '@tensorflow/tfjs-core';

/** Thrown when code under test leaves tensors behind. */
export class TensorLeakError extends Error {
  override readonly name = 'TensorLeakError';
}

function describeLeak(what: string, before: number, after: number): string {
  const delta = after - before;
  const verb = delta > 0 ? `leaked ${delta} tensor(s)` : `disposed ${-delta} tensor(s) it did not own`;
  return (
    `${what} ${verb}: tf.memory().numTensors went from ${before} to ${after}. ` +
    'Dispose what you create (tf.tidy, tf.dispose) and dispose results you were given back.'
  );
}

/**
 * Runs `fn` (sync or async) and throws a {@link TensorLeakError} if the number of live tensors changed.
 * Returns what `fn` returned; a returned tensor counts as a leak, so return plain values.
 *
 * @example
 * await expectNoTensorLeak(() => { const y = tf.square(x); y.dispose(); });
 */
export async function expectNoTensorLeak<T>(
  fn: () => T | Promise<T>,
  what = 'the code under test',
): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  if (after !== before) throw new TensorLeakError(describeLeak(what, before, after));
  return result;
}

/**
 * A per-test guard: `start()` before a test, `check()` after it. The shared vitest setup file installs one
 * around every test of every package.
 *
 * @example
 * const guard = createLeakGuard();
 * guard.start(); runTest(); guard.check('my test');
 */
export interface LeakGuard {
  start(): void;
  check(testName: string): void;
}

/** Creates a {@link LeakGuard}. */
export function createLeakGuard(): LeakGuard {
  let before: number | undefined;
  return {
    start() {
      before = tf.memory().numTensors;
    },
    check(testName) {
      if (before === undefined) return;
      const after = tf.memory().numTensors;
      const start = before;
      before = undefined;
      if (after !== start) throw new TensorLeakError(describeLeak(`test "${testName}"`, start, after));
    },
  };
}
