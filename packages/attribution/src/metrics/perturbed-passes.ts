import * as tf from '@tensorflow/tfjs-core';

import type { KeyedModel } from '@tdhook/core';

import type { ResolvedTarget } from '../targets.js';

/**
 * Runs the model on `inputs` (`[samples · rows, ...]`, sample-major, every model input in inKeys order) in
 * passes of at most `chunkSize` rows and returns the target's value per row (`[samples · rows]`). Each
 * pass is tidied on its own, so that only one pass's activations are alive at a time.
 */
export function targetValues(
  model: KeyedModel,
  inputs: readonly tf.Tensor[],
  outputIndex: number,
  target: ResolvedTarget,
  rows: number,
  chunkSize: number | undefined,
): tf.Tensor {
  const total = inputs[0]?.shape[0] ?? 0;
  if (total === 0) return tf.zeros([0]);
  const size = chunkSize ?? total;
  const parts: tf.Tensor[] = [];
  let done = false;
  try {
    for (let start = 0; start < total; start += size) {
      const count = Math.min(size, total - start);
      parts.push(
        tf.tidy(() => {
          const chunk = count === total ? inputs : inputs.map((input) => tf.slice(input, start, count));
          const output = model.callTensors(chunk)[outputIndex] as tf.Tensor;
          // Row r of the pass perturbs sample r mod rows: per-sample targets (classes at x) follow it.
          const sampleOfRow = tf.tensor1d(
            Int32Array.from({ length: count }, (_, row) => (start + row) % rows),
            'int32',
          );
          return target.pick(output, sampleOfRow);
        }),
      );
    }
    const values = parts.length === 1 ? (parts[0] as tf.Tensor) : tf.concat(parts, 0);
    done = parts.length === 1;
    return values;
  } finally {
    if (!done) tf.dispose(parts);
  }
}
