// One model call on a batch, reduced to one score per image (the tracked class), inside tf.tidy so the
// model's intermediate tensors and the perturbed batch are freed with it.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';

import { where, type PixelFlippingConfig } from './pixel-flipping-config.js';

/** The scores of a batch, and the predicted class of each image when no target was given. */
export interface BatchScores {
  readonly scores: Float32Array;
  readonly predicted: Int32Array | undefined;
}

function checkOutput(output: unknown, rows: number, config: PixelFlippingConfig): tf.Tensor2D {
  const shape = output instanceof tf.Tensor ? (output.shape as number[]) : undefined;
  if (shape?.length !== 2 || shape[0] !== rows) {
    throw new ShapeMismatchError({
      what: `predict must return scores [${rows}, classes] for ${rows} images, got ${shape ? `[${shape.join(', ')}]` : typeof output}`,
      where,
      fix: 'Return one row of class scores per image, e.g. (x) => model.predict(x) as tf.Tensor2D.',
    });
  }
  const classes = shape[1] as number;
  if (config.score === 'probability' && classes < 2) {
    throw new InvalidValueError({
      what: 'score: "probability" takes a softmax over the output, which has a single class (always 1)',
      where,
      fix: 'Use score: "logit", or a model output with one column per class.',
    });
  }
  return output as tf.Tensor2D;
}

function checkTargets(targets: readonly number[], classes: number): void {
  const bad = targets.find((t) => t >= classes);
  if (bad !== undefined) {
    throw new InvalidValueError({
      what: `target class ${bad} is out of range: the model has ${classes} output class(es)`,
      where,
      fix: `Give classes in 0..${classes - 1}, or target: 'argmax'.`,
    });
  }
}

/**
 * Runs `predict` on the batch that `build` makes (inside tf.tidy) and reads the score of each image's
 * target; without targets, the target is the argmax of the output (also returned).
 */
export async function scoreBatch(
  config: PixelFlippingConfig,
  build: () => tf.Tensor4D,
  targets: readonly number[] | undefined,
): Promise<BatchScores> {
  const [scores, predicted] = tf.tidy(() => {
    const x = build();
    const rows = x.shape[0];
    const output = checkOutput(config.predict(x), rows, config);
    const classes = output.shape[1];
    if (targets !== undefined) checkTargets(targets, classes);
    const values =
      config.score === 'probability' ? tf.softmax(tf.cast(output, 'float32')) : tf.cast(output, 'float32');
    const chosen = targets === undefined ? tf.argMax(output, 1) : tf.tensor1d([...targets], 'int32');
    // values[i, chosen[i]] by a gather on the flattened scores: wasm's gather with batchDims returns wrong
    // values, and a one-hot product would turn −Infinity into NaN.
    const flat = tf.add(tf.mul(tf.range(0, rows, 1, 'int32'), tf.scalar(classes, 'int32')), chosen);
    const picked = tf.gather(tf.reshape(values, [-1]), flat);
    return targets === undefined ? [picked, chosen] : [picked];
  });
  try {
    return {
      scores: (await scores.data()) as Float32Array,
      predicted: predicted === undefined ? undefined : ((await predicted.data()) as Int32Array),
    };
  } finally {
    tf.dispose([scores, predicted].filter((t) => t !== undefined));
  }
}
