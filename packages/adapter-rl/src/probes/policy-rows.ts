import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, type TensorDict } from '@tdhook/core';
import { isTensorDict } from '@tdhook/core/plugin';

/**
 * The data as one row per step: batch dims flattened (a rollout of several environments is `[N, T]`), and
 * the rows whose `mask` is false (a rollout's padding after an environment's last episode) left out. The
 * caller owns the result.
 */
export function policyRows(data: TensorDict): TensorDict {
  if (!isTensorDict(data) || data.batchShape.length === 0) {
    throw new InvalidValueError({
      what: `probePolicy needs a TensorDict with batch dims (rows, or [environments, steps]), got ${isTensorDict(data) ? 'batch shape []' : 'something else'}`,
      where: 'probePolicy(policy, data)',
      fix: "Pass a rollout's trajectory, or new TensorDict({ observation }, { batchShape: [rows] }).",
    });
  }
  const flat = data.flattenBatch();
  if (!flat.has('mask')) return flat;
  const mask = Array.from(flat.getTensor('mask').dataSync());
  const kept = Int32Array.from(mask.flatMap((value, row) => (value === 0 ? [] : [row])));
  if (kept.length === mask.length) return flat;
  try {
    return flat.apply((tensor) => tf.gather(tensor, tf.tensor1d(kept, 'int32')), {
      batchShape: [kept.length],
    });
  } finally {
    flat.dispose();
  }
}
