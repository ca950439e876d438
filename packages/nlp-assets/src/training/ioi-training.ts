// The IOI model's data: word-level token ids of prompts (one template per batch, so all rows have the same
// length) and its accuracy / logit difference on prompts.
import * as tf from '@tensorflow/tfjs-core';

import {
  generateIoiPrompts,
  ioiTemplates,
  ioiVocabulary,
  type IoiOrder,
  type IoiPrompt,
} from '../tasks/ioi.js';
import type { TrainableLm } from './trainable-lm.js';

/** The IOI model's vocabulary: `<unk>` (id 0), then {@link ioiVocabulary}. */
export const ioiTokenVocabulary: readonly string[] = ['<unk>', ...ioiVocabulary()];

const ids = new Map(ioiTokenVocabulary.map((word, i) => [word, i]));

/** Token ids of prompts of one template, `[n, s]`, and the answer and subject ids. */
export function encodeIoi(prompts: readonly IoiPrompt[]): {
  tokens: Int32Array;
  length: number;
  answers: number[];
  subjects: number[];
} {
  const length = (prompts[0] as IoiPrompt).words.length;
  const tokens = new Int32Array(prompts.length * length);
  prompts.forEach((prompt, row) => {
    if (prompt.words.length !== length)
      throw new Error('encodeIoi: prompts of different lengths in one batch.');
    prompt.words.forEach((word, j) => {
      tokens[row * length + j] = ids.get(word) ?? 0;
    });
  });
  return {
    tokens,
    length,
    answers: prompts.map((p) => ids.get(p.answer) as number),
    subjects: prompts.map((p) => ids.get(p.subject) as number),
  };
}

/** Cross-entropy of the answer at the last position, for a batch of one template. */
export function ioiLoss(model: TrainableLm, prompts: readonly IoiPrompt[]): tf.Scalar {
  const { tokens, length, answers } = encodeIoi(prompts);
  return tf.tidy(() => {
    const logits = model.logits(tf.tensor2d(tokens, [prompts.length, length], 'int32'));
    const last = tf.reshape(tf.slice(logits, [0, length - 1, 0], [prompts.length, 1, -1]), [
      prompts.length,
      -1,
    ]);
    const targets = tf.oneHot(tf.tensor1d(answers, 'int32'), last.shape[1] as number);
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(last), targets), -1))) as tf.Scalar;
  });
}

/**
 * Accuracy (the answer is the top-1 token) and mean logit difference (answer − subject) on `perTemplate`
 * seeded prompts of every template.
 */
export function ioiAccuracy(
  model: TrainableLm,
  options: {
    readonly seed: number;
    readonly perTemplate: number;
    readonly split: 'train' | 'held-out';
    readonly order?: IoiOrder;
  },
): { accuracy: number; logitDiff: number; count: number } {
  let correct = 0;
  let diff = 0;
  let count = 0;
  ioiTemplates.forEach((_, template) => {
    const prompts = generateIoiPrompts({
      ...(options.order === undefined ? {} : { order: options.order }),
      seed: options.seed + template,
      count: options.perTemplate,
      split: options.split,
      template,
    });
    const { tokens, length, answers, subjects } = encodeIoi(prompts);
    const last = tf.tidy(() => {
      const logits = model.logits(tf.tensor2d(tokens, [prompts.length, length], 'int32'));
      return tf.reshape(tf.slice(logits, [0, length - 1, 0], [prompts.length, 1, -1]), [prompts.length, -1]);
    });
    const values = last.arraySync() as number[][];
    last.dispose();
    values.forEach((row, i) => {
      const answer = answers[i] as number;
      let best = 0;
      for (let v = 1; v < row.length; v++) if ((row[v] as number) > (row[best] as number)) best = v;
      if (best === answer) correct++;
      diff += (row[answer] as number) - (row[subjects[i] as number] as number);
      count++;
    });
  });
  return { accuracy: correct / count, logitDiff: diff / count, count };
}
