// Snapshots of parameter values as plain arrays keyed like core's readParameters ('linear1.kernel'), to
// compare bit for bit (toEqual on float32 values read back exactly, −0 and NaN included).
import type * as tf from '@tensorflow/tfjs-core';
import { readParameters, type ModelNode, type TensorDict } from '@tdhook/core';

/** A parameter dict's values by key. */
export function dictValues(dict: TensorDict): Record<string, number[]> {
  return Object.fromEntries(
    dict.entries().map(([path, value]) => [path.join('.'), Array.from((value as tf.Tensor).dataSync())]),
  );
}

/** Every parameter of `model` (its state dict) by key. */
export function snapshot(model: ModelNode): Record<string, number[]> {
  using parameters = readParameters(model);
  return dictValues(parameters);
}
