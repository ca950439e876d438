import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError, type Key } from '@tdhook/core';

import type { SplicedMetric } from './spliced-evaluation.js';

const where = 'nextTokenLoss';

/**
 * Options of {@link nextTokenLoss}: where the token ids and the logits are in a run's result.
 *
 * @example
 * const options: NextTokenLossOptions = { tokens: 'input', logits: 'output' };
 */
export interface NextTokenLossOptions {
  /** The token ids `[batch, positions]` (int32). Default `'input'`. */
  readonly tokens?: Key;
  /** The logits `[batch, positions, vocabulary]`. Default `'output'`. */
  readonly logits?: Key;
}

/**
 * A language model's next-token cross-entropy as a {@link splicedEvaluation} loss: the mean over the batch
 * and positions 0…T−2 of `−log softmax(logits[b, t])[tokens[b, t + 1]]`, in nats.
 *
 * @example
 * splicedEvaluation({ model, adapter: sae, from: 'blocks.0.hook_resid_post', data, loss: nextTokenLoss() });
 */
export function nextTokenLoss(options: NextTokenLossOptions = {}): SplicedMetric {
  const tokensKey = options.tokens ?? 'input';
  const logitsKey = options.logits ?? 'output';
  return (result) => {
    const tokens = result.getTensor(tokensKey);
    const logits = result.getTensor(logitsKey);
    const [batch, positions] = tokens.shape;
    if (
      tokens.rank !== 2 ||
      logits.rank !== 3 ||
      logits.shape[0] !== batch ||
      logits.shape[1] !== positions
    ) {
      throw new ShapeMismatchError({
        what: `nextTokenLoss needs tokens [batch, positions] and logits [batch, positions, vocabulary], got [${tokens.shape.join(', ')}] and [${logits.shape.join(', ')}]`,
        where,
        fix: 'Point tokens and logits at the model input ids and its logits (batchShape [batch]).',
      });
    }
    if (positions === undefined || positions < 2 || batch === undefined) {
      throw new InvalidValueError({
        what: `nextTokenLoss needs at least 2 positions, got ${String(positions)}`,
        where,
        fix: 'Evaluate windows of two tokens or more.',
      });
    }
    const vocabulary = logits.shape[2] as number;
    return tf.tidy(() => {
      const predicted = tf.slice(logits, [0, 0, 0], [batch, positions - 1, vocabulary]);
      const targets = tf.slice(tf.cast(tokens, 'int32'), [0, 1], [batch, positions - 1]);
      const logProbabilities = tf.logSoftmax(predicted);
      const picked = tf.sum(tf.mul(logProbabilities, tf.oneHot(targets, vocabulary)), -1);
      return tf.neg(tf.mean(picked));
    });
  };
}
