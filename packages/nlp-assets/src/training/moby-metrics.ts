// Bits per character of a character model on seeded held-out Moby Dick windows (every position counted).
import * as tf from '@tensorflow/tfjs-core';

import { sampleMobyDickWindows } from '../tasks/moby-dick.js';
import { maskedCrossEntropy } from './losses.js';
import type { TrainableLm } from './trainable-lm.js';

/** Mean bits/char over `count` held-out windows of the model's context length (seed 7 by default). */
export function mobyBitsPerChar(
  model: TrainableLm,
  options: { readonly count: number; readonly seed?: number },
): number {
  const length = model.config.nCtx;
  const { count, seed = 7 } = options;
  const ids = sampleMobyDickWindows({ seed, count, length, split: 'held-out' });
  let total = 0;
  for (let start = 0; start < count; start += 16) {
    const rows = Math.min(16, count - start);
    const nats = tf.tidy(() => {
      const windows = tf.tensor2d(
        ids.subarray(start * (length + 1), (start + rows) * (length + 1)),
        [rows, length + 1],
        'int32',
      );
      const inputs = tf.slice(windows, [0, 0], [rows, length]);
      return maskedCrossEntropy(model.logits(inputs), tf.slice(windows, [0, 1], [rows, length]));
    });
    total += (nats.dataSync()[0] as number) * rows;
    nats.dispose();
  }
  return total / count / Math.LN2;
}
