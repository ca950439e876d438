import * as tf from '@tensorflow/tfjs-core';
import {
  formatKey,
  InvalidValueError,
  MissingKeyError,
  type KeyedModel,
  type TensorDict,
} from '@tdhook/core';
import { withGradientCleanup } from '@tdhook/core/plugin';

import type { CacheObjective } from './cache-options.js';

const where = 'activationCaching objective';

/** The default objective: the sum of every model output (what `output.sum().backward()` does in torch). */
const sumOfOutputs: CacheObjective = (outputs) => tf.addN(outputs.map((output) => tf.sum(output)));

function scalarOf(value: unknown): tf.Scalar {
  if (!(value instanceof tf.Tensor)) {
    throw new InvalidValueError({
      what: 'The objective did not return a tensor',
      where,
      fix: 'Return a tensor computed from the outputs, e.g. ([logits]) => tf.slice(logits, [0, 3], [-1, 1]).',
    });
  }
  if (value.dtype !== 'float32') {
    throw new InvalidValueError({
      what: `The objective returned a ${value.dtype} tensor, which has no gradient`,
      where,
      fix: 'Return a float32 tensor computed from the outputs.',
    });
  }
  return tf.sum(value);
}

/** tf.variableGrads, with its refusal of a model without trainable variables said in tdhook's terms. */
function variableGradients(forward: () => tf.Scalar): void {
  try {
    tf.variableGrads(forward);
  } catch (error) {
    if (!(error instanceof Error) || !/variableGrads/.test(error.message)) throw error;
    throw new InvalidValueError({
      what: 'The gradient directions need something to differentiate: the model has no float input and no trainable variables',
      where: 'activationCaching directions',
      fix: 'Cache forward directions only, or give the model a float input (e.g. embeddings).',
      cause: error,
    });
  }
}

/**
 * Runs the model once under differentiation, so that backward hooks see the gradient of `objective` (its
 * sum). TF.js has no deferred `.backward()`: the gradient is taken here, with respect to the model's float
 * inputs, or, when every input is an integer tensor (token ids), to the model's trainable variables. Returns
 * `data`'s entries plus the model outputs (as `KeyedModel.run` does); the gradients themselves are dropped.
 */
export function runWithGradients(
  model: KeyedModel,
  data: TensorDict,
  objective: CacheObjective | undefined,
): TensorDict {
  const batchShape = data.batchShape;
  const rows = batchShape.reduce((product, size) => product * size, 1);
  const inputs = model.inKeys.map((key) => {
    if (!data.has(key)) {
      throw new MissingKeyError({
        what: `The model reads ${formatKey(key)}, which is not in the TensorDict`,
        where: 'inKeys',
        fix: 'Add it, or map inKeys to existing keys.',
      });
    }
    return data.getTensor(key);
  });
  const floatInputs = inputs.flatMap((input, index) => (input.dtype === 'float32' ? [index] : []));
  let outputs: tf.Tensor[] = [];
  try {
    withGradientCleanup(() => {
      tf.tidy(() => {
        const flat = inputs.map((input) =>
          tf.reshape(input, [rows, ...input.shape.slice(batchShape.length)]),
        );
        const forward = (xs: readonly tf.Tensor[]): tf.Scalar => {
          const all = flat.map((input, index) => {
            const position = floatInputs.indexOf(index);
            return position < 0 ? input : (xs[position] as tf.Tensor);
          });
          const results = model.callTensors(all);
          tf.dispose(outputs);
          outputs = results.map((output) =>
            tf.keep(tf.reshape(output, [...batchShape, ...output.shape.slice(1)])),
          );
          return scalarOf((objective ?? sumOfOutputs)(results));
        };
        if (floatInputs.length > 0) {
          tf.grads((...xs: tf.Tensor[]) => forward(xs))(floatInputs.map((index) => flat[index] as tf.Tensor));
        } else {
          variableGradients(() => forward([]));
        }
      });
    });
  } catch (error) {
    tf.dispose(outputs);
    throw error;
  }
  const result = data.clone();
  model.outKeys.forEach((key, index) => {
    const output = outputs[index];
    if (output !== undefined) result.set(key, output);
  });
  return result;
}
