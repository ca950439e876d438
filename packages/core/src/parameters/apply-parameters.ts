import type { ModelNode } from '../modules/model-node.js';
import type { TensorDict } from '../tensordict/tensor-dict.js';
import { putBack, writeChecked } from './write-parameters.js';

/**
 * Writes `params` into the model as {@link writeParameters} does (checked, all or nothing) and returns the
 * function that restores exactly what was there: the original values are kept (as snapshots, not
 * recomputed) until the restore writes them back. Call the restore once; later calls do nothing.
 *
 * @example
 * const restore = applyParameters(model, edited);
 * try {
 *   model.predict(x);
 * } finally {
 *   restore();
 * }
 */
export function applyParameters(model: ModelNode, params: TensorDict): () => void {
  const written = writeChecked(model, params, 'applyParameters()');
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    putBack(written, written.writes.length);
  };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Runs `fn` with `params` written into the model and restores the original parameters exactly afterwards,
 * also when `fn` throws or its promise rejects. Returns what `fn` returns (a promise for an async `fn`,
 * restored once it settles).
 *
 * @example
 * const accuracy = withParameters(model, merged, () => evaluate(model));
 * const loss = await withParameters(model, merged, async () => await evaluateAsync(model));
 */
export function withParameters<T>(model: ModelNode, params: TensorDict, fn: () => T): T {
  const restore = applyParameters(model, params);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    restoreQuietly(restore);
    throw error;
  }
  if (!isPromiseLike(result)) {
    restore();
    return result;
  }
  return Promise.resolve(result).then(
    (value) => {
      restore();
      return value;
    },
    (error: unknown) => {
      restoreQuietly(restore);
      throw error;
    },
  ) as T;
}

// After a failure, the failure is what the caller needs to see; a restore error would replace it.
function restoreQuietly(restore: () => void): void {
  try {
    restore();
  } catch {
    // Swallowed on purpose: see above.
  }
}
