import * as tf from '@tensorflow/tfjs-core';

import type { ModelNode } from '../modules/model-node.js';
import { resolveModule } from '../modules/resolve-module.js';
import { findParameter, type ParameterSlot } from './parameter-slot.js';
import { replaceUnits, selectUnits, type ReplacementValue } from './selection.js';
import { describeTarget, type TargetJSON } from './target.js';

function slotOf(model: ModelNode, target: TargetJSON): ParameterSlot {
  return findParameter(resolveModule(model, target.path), target.parameter ?? '', target.path);
}

function writeUnits(slot: ParameterSlot, target: TargetJSON, value: ReplacementValue): void {
  const updated = replaceUnits(slot.read(), target, value, describeTarget(target));
  try {
    slot.write(updated);
  } finally {
    // The variable now shares the data; this handle is ours to drop.
    updated.dispose();
  }
}

/**
 * The selected units of a parameter target, now, as a kept tensor the caller owns.
 *
 * @example
 * const column = captureParameter(model, normalizeTarget({ path: 'fc1', kind: 'parameter', parameter: 'kernel', featureAxis: 1, indices: [3] }));
 */
export function captureParameter(model: ModelNode, target: TargetJSON): tf.Tensor {
  return tf.keep(selectUnits(slotOf(model, target).read(), target, describeTarget(target)));
}

/**
 * Assigns `value` to the selected units of a parameter in place and returns the function that puts the
 * original units back. The restore looks the parameter up again, so it writes to the live one. If the
 * assignment fails (a value that does not fit is a `ShapeMismatchError`), the parameter is left as it was
 * and the error propagates.
 *
 * @example
 * const restore = replaceParameter(model, target, 0);
 * // … run the model …
 * restore();
 */
export function replaceParameter(model: ModelNode, target: TargetJSON, value: ReplacementValue): () => void {
  const slot = slotOf(model, target);
  const original = tf.keep(selectUnits(slot.read(), target, describeTarget(target)));
  try {
    writeUnits(slot, target, value);
  } catch (error) {
    // A failed write changes nothing in tfjs, but put the units back in case a layer's constraint ran.
    try {
      writeUnits(slot, target, original);
    } catch {
      // The first error says what went wrong; this one would only hide it.
    } finally {
      original.dispose();
    }
    throw error;
  }
  return () => {
    try {
      writeUnits(slotOf(model, target), target, original);
    } finally {
      original.dispose();
    }
  };
}
