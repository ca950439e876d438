import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';
import { describeStructure, isTensor } from '@tdhook/core/plugin';

import type { SteerFunction } from './steering-vectors.js';

const where = 'addVector';

/**
 * Options of {@link addVector}.
 *
 * @example
 * const options: AddVectorOptions = { coefficient: 4 };
 */
export interface AddVectorOptions {
  /** The vector is scaled by it. Default 1. */
  readonly coefficient?: number;
}

// Same trailing dims as the output, or 1 (broadcast); no more axes than it has. tf.add would also broadcast a
// [8, 64] vector against a [1, 1, 64] output, to [1, 8, 64], a shape the hook point cannot take.
function broadcastsTo(vector: readonly number[], output: readonly number[]): boolean {
  const offset = output.length - vector.length;
  return offset >= 0 && vector.every((size, axis) => size === 1 || size === output[axis + offset]);
}

function shapeError(vector: tf.Tensor, output: tf.Tensor, moduleKey: string): ShapeMismatchError {
  const trailing = output.shape.slice(-1);
  return new ShapeMismatchError({
    what: `The steering vector ${describeStructure(vector)} does not broadcast to the output ${describeStructure(output)} of '${moduleKey}'`,
    where,
    fix:
      vector.rank >= 2
        ? `A [positions, features] vector (an activationAddition result) fits only runs of exactly that many positions; generation with the key/value cache runs one position per step. Reduce it first, e.g. tf.sum(steer, 0) (shape [${trailing.join(',')}]), which adds at every position.`
        : `Give a vector whose trailing dims equal the output's (or are 1), e.g. shape [${trailing.join(',')}].`,
  });
}

/**
 * A {@link SteerFunction} that adds `coefficient · vector` to the activation, broadcasting the vector over the
 * leading axes: a `[dModel]` vector steers every position of every sequence, at every generation step (with the
 * key/value cache too, where the hook sees `[batch, 1, dModel]`). A vector that does not broadcast to the
 * activation, such as a `[positions, dModel]` activationAddition result at a one-position generation step, is
 * a `ShapeMismatchError` naming both shapes. The vector stays the caller's: keep it alive while the steer is in
 * use, and dispose it afterwards.
 *
 * @example
 * const vector = tf.sum(steer, 0); // [positions, dModel] → [dModel]
 * using prepared = steeringVectors({ modules: ['blocks.0.hook_resid_post'], steer: addVector(vector, { coefficient: 4 }) }).prepare(model);
 */
export function addVector(vector: tf.Tensor, options: AddVectorOptions = {}): SteerFunction {
  if (!isTensor(vector) || vector.isDisposed) {
    throw new InvalidValueError({
      what: `addVector takes a live tensor, got ${isTensor(vector) ? 'a disposed tensor' : describeStructure(vector)}`,
      where,
      fix: 'Pass the steering vector as a tensor (e.g. tf.sum(steer, 0) of an activationAddition result).',
    });
  }
  const { coefficient = 1 } = options;
  if (typeof coefficient !== 'number' || !Number.isFinite(coefficient)) {
    throw new InvalidValueError({
      what: `coefficient must be a finite number, got ${String(coefficient)}`,
      where: `${where} coefficient`,
      fix: 'E.g. { coefficient: 4 }; leave it out for 1.',
    });
  }
  return ({ moduleKey, output }) => {
    if (vector.isDisposed) {
      throw new InvalidValueError({
        what: `The steering vector of '${moduleKey}' was disposed while the steer is in use`,
        where,
        fix: 'Dispose the vector after restoring the prepared model.',
      });
    }
    if (!broadcastsTo(vector.shape, output.shape)) throw shapeError(vector, output, moduleKey);
    return tf.tidy(() => {
      const scaled = coefficient === 1 ? vector : tf.mul(vector, coefficient);
      return tf.add(output, tf.cast(scaled, output.dtype));
    });
  };
}
