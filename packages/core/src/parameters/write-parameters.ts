import * as tf from '@tensorflow/tfjs-core';

import type { ModelNode } from '../modules/model-node.js';
import type { TensorDict } from '../tensordict/tensor-dict.js';
import { collectParameters } from './parameter-entries.js';
import { planWrites, type PlannedWrite } from './write-checks.js';

/** What a write replaced: each parameter written and a snapshot of its value before. */
export interface WrittenParameters {
  readonly writes: readonly PlannedWrite[];
  readonly originals: readonly tf.Tensor[];
}

/**
 * Puts `originals[i]` back into `writes[i]`'s parameter for the first `count` writes, last first, then
 * disposes every snapshot. Tries them all; the first failure is rethrown after.
 *
 * @example
 * putBack(written, written.originals.length);
 */
export function putBack(written: WrittenParameters, count: number): void {
  let failure: { error: unknown } | undefined;
  for (let index = count - 1; index >= 0; index -= 1) {
    const original = written.originals[index];
    const write = written.writes[index];
    if (original === undefined || write === undefined) continue;
    try {
      write.entry.assign(original);
    } catch (error) {
      failure ??= { error };
    }
  }
  for (const original of written.originals) original.dispose();
  if (failure !== undefined) throw failure.error;
}

/**
 * Checks `params` against `model`, then writes every entry, keeping snapshots of what was there. A write that
 * throws part way puts back the ones already made (bit-exact) and rethrows.
 *
 * @example
 * const written = writeChecked(model, params, 'applyParameters()');
 */
export function writeChecked(model: ModelNode, params: TensorDict, where: string): WrittenParameters {
  const writes = planWrites(collectParameters(model, {}, where), params, where);
  // A clone keeps the parameter's current data, which an assign replaces but does not change: an exact
  // snapshot (shared, not copied, on the cpu and webgl backends; wasm's Identity kernel copies).
  const originals = writes.map((write) => tf.keep(tf.clone(write.entry.read())));
  const written = { writes, originals };
  let done = 0;
  try {
    for (const write of writes) {
      write.entry.assign(write.value);
      done += 1;
    }
  } catch (error) {
    try {
      putBack(written, done);
    } catch {
      // The write's own error says what went wrong; a failed put-back would only hide it.
    }
    throw error;
  }
  return written;
}

/**
 * Writes the tensors of `params` into the model's parameters of the same keys ({@link parameterKey}), all or
 * nothing. A subset of the parameters is fine: only the keys present are written. Every key, shape, dtype
 * and value is checked before the first write (an unknown key is an `UnknownPathError` naming the near keys,
 * a wrong shape a `ShapeMismatchError`, a wrong dtype or a NaN/Inf an `InvalidValueError`), and if a write
 * fails part way the parameters already written are put back. Values are stored as given (a Layers weight's
 * constraint does not run). `params` stays the caller's; the model shares its data, no copy.
 *
 * @example
 * using finetuned = readParameters(model);
 * // … train …
 * writeParameters(model, pretrained); // back to the pretrained weights
 */
export function writeParameters(model: ModelNode, params: TensorDict): void {
  const written = writeChecked(model, params, 'writeParameters()');
  for (const original of written.originals) original.dispose();
}
