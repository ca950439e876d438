import type * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError, MissingKeyError, ShapeMismatchError } from '@tdhook/core';
import { describeStructure, isPlainObject, isTensor } from '@tdhook/core/plugin';

import type { Gpt2WeightSpec } from './config.js';

const where = 'HookedTransformer.fromGpt2Weights';

/**
 * Checks a record of GPT-2 tensors against the specs before anything is built: every spec'd name present,
 * a live float32 tensor of the spec'd shape, and no other name. The first problem is a typed error naming
 * the tensor.
 */
export function checkGpt2Weights(
  weights: unknown,
  specs: readonly Gpt2WeightSpec[],
): asserts weights is Readonly<Record<string, tf.Tensor>> {
  if (!isPlainObject(weights)) {
    throw new InvalidValueError({
      what: `weights must be a record of tensors by Hugging Face name, got ${describeStructure(weights)}`,
      where,
      fix: "Pass e.g. { 'wte.weight': tf.Tensor, 'wpe.weight': tf.Tensor, … } (names of gpt2WeightSpecs(config)).",
    });
  }
  const expected = new Set(specs.map((spec) => spec.name));
  const extra = Object.keys(weights).filter((name) => !expected.has(name));
  if (extra.length > 0) {
    throw new InvalidValueError({
      what: `Unexpected tensor(s) ${extra.map((name) => `'${name}'`).join(', ')} for this configuration`,
      where,
      fix: "Pass exactly the names of gpt2WeightSpecs(config), without the 'transformer.' prefix; drop buffers such as 'h.0.attn.bias' and, for attention-only configs, ln_2/mlp tensors.",
    });
  }
  for (const { name, shape } of specs) {
    const tensor = weights[name];
    if (tensor === undefined) {
      throw new MissingKeyError({
        what: `The tensor '${name}' is missing`,
        where,
        fix: `Provide '${name}' with shape [${shape.join(',')}]; check the config (nLayers, attnOnly) matches the checkpoint.`,
      });
    }
    if (!isTensor(tensor) || tensor.isDisposed) {
      throw new InvalidValueError({
        what: `'${name}' must be a live tensor, got ${isTensor(tensor) ? 'a disposed tensor' : describeStructure(tensor)}`,
        where,
        fix: 'Pass float32 tensors and dispose them only after the model is built.',
      });
    }
    const sameShape =
      tensor.rank === shape.length && tensor.shape.every((size, axis) => size === shape[axis]);
    if (tensor.dtype !== 'float32' || !sameShape) {
      throw new ShapeMismatchError({
        what: `'${name}' is ${describeStructure(tensor)}, where this configuration needs float32[${shape.join(',')}]`,
        where,
        fix: 'Check the config against the checkpoint (sizes, dHead, dMlp) and convert other dtypes to float32.',
      });
    }
  }
}
