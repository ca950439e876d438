import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';

import { magnitudeImportance, type ImportanceCallback } from './importance.js';
import type { ParameterEntry } from './pruned-parameters.js';
import { id } from './pruning-options.js';

/**
 * The absolute importance scores of a parameter's entries (`parameter`: its current value, lent to the callback) (flat, row-major), or `null` when the callback
 * leaves it out. The callback's tensor is taken over and disposed (a variable it returns is left alone);
 * a tensor of another shape, or a score that is not finite, is a typed error.
 *
 * @example
 * parameterScores(entry, values.getTensor(entry.info.key), magnitudeImportance); // Float32Array of |θ|
 */
export function parameterScores(
  { info }: ParameterEntry,
  parameter: tf.Tensor,
  importance: ImportanceCallback = magnitudeImportance,
): Float32Array | null {
  const { path, name, key } = info;
  const returned: unknown = tf.tidy(() => importance({ path, name, key, parameter }) ?? undefined);
  if (returned === undefined || returned === null) return null;
  const where = `${id} importance for '${key}'`;
  if (!(returned instanceof tf.Tensor)) {
    throw new InvalidValueError({
      what: `The importance callback returned ${typeof returned}, not a tensor or null`,
      where,
      fix: 'Return a tensor of the parameter’s shape, or null to leave the parameter out.',
    });
  }
  try {
    if (!tf.util.arraysEqual(returned.shape, parameter.shape)) {
      throw new ShapeMismatchError({
        what: `The importance scores have shape [${returned.shape.join(', ')}], the parameter [${parameter.shape.join(', ')}]`,
        where,
        fix: 'Return one score per entry of the parameter.',
      });
    }
    const values = returned.dataSync();
    const scores = new Float32Array(values.length);
    for (let index = 0; index < values.length; index += 1) {
      const value = Math.abs(Number(values[index]));
      if (!Number.isFinite(value)) {
        throw new InvalidValueError({
          what: `The importance scores hold ${String(values[index])} at flat index ${index}`,
          where,
          fix: 'Return finite scores (replace NaN and infinities before returning them).',
        });
      }
      scores[index] = value;
    }
    return scores;
  } finally {
    // The lent parameter (or a model variable) returned as its own scores stays alive.
    if (returned !== parameter && !(returned instanceof tf.Variable)) returned.dispose();
  }
}
