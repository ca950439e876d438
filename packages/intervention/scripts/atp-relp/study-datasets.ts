// The clean/corrupted pairs of the AtP/RelP study, for the two circuit models trained in @tdhook/nlp-assets.
// Each pair has equal token lengths (a patching grid swaps activations position by position) and a metric
// that is large on the clean run and near zero on the corrupted one.
import * as tf from '@tensorflow/tfjs-core';
import type { LoadedTokenizer } from '@tdhook/adapter-nlp';
import { createRandom, generateIoiPrompts, ioiNames, randomInt } from '@tdhook/nlp-assets';

import { logitDifference, type PatchingMetric } from '../../src/index.js';

/** One task's inputs: `clean` and `corrupted` token ids `[samples][positions]`, the metric and what it means. */
export interface StudyDataset {
  readonly task: 'ioi' | 'induction';
  readonly clean: readonly (readonly number[])[];
  readonly corrupted: readonly (readonly number[])[];
  readonly metric: PatchingMetric;
  readonly metricName: string;
  /** One label per position (the words of the first clean sample; induction: token roles). */
  readonly positionLabels: readonly string[];
}

/**
 * IOI, "ABC" corruption (Wang et al. 2022): the same prompt with the repeated subject S replaced by a third
 * name C, so both first-clause names occur once and nothing tells the indirect object from the subject.
 * Metric: logit(IO) − logit(S) of the clean prompt at the last position, on both runs. Held-out name pairs,
 * one template (equal lengths), both orders (ABB and BAB).
 */
export function ioiDataset(
  tokenizer: LoadedTokenizer,
  options: { seed: number; count: number; template?: number },
): StudyDataset {
  const prompts = generateIoiPrompts({
    seed: options.seed,
    count: options.count,
    split: 'held-out',
    template: options.template ?? 0,
  });
  const random = createRandom(options.seed + 1);
  const clean = prompts.map((prompt) => tokenizer.encode(prompt.text));
  const corrupted = prompts.map((prompt, index) => {
    let third = prompt.answer;
    while (third === prompt.answer || third === prompt.subject)
      third = ioiNames[randomInt(random, ioiNames.length)] ?? '';
    // The subject is the last name of the prompt: replace that occurrence only.
    const words = [...prompt.words];
    const at = words.lastIndexOf(prompt.subject);
    words[at] = third;
    const ids = tokenizer.encode(words.join(' '));
    if (ids.length !== clean[index]?.length)
      throw new Error(`IOI corruption changed the length of '${prompt.text}'`);
    return ids;
  });
  const token = (word: string): number => tokenizer.encode(word)[0] ?? -1;
  return {
    task: 'ioi',
    clean,
    corrupted,
    metric: logitDifference({
      answer: prompts.map((prompt) => token(prompt.answer)),
      versus: prompts.map((prompt) => token(prompt.subject)),
    }),
    metricName: 'logit(IO) − logit(S), last position',
    positionLabels: templateLabels(prompts[0]?.words ?? [], prompts[0]?.subject ?? ''),
  };
}

/** The words of a prompt with its names written as the template's roles: A, B (first clause) and S. */
function templateLabels(words: readonly string[], subject: string): string[] {
  const names = new Set<string>(ioiNames);
  const subjectAt = words.lastIndexOf(subject);
  let first = true;
  return words.map((word, position) => {
    if (position === subjectAt) return 'S';
    if (!names.has(word)) return word;
    const role = first ? 'A' : 'B';
    first = false;
    return role;
  });
}

/** The layout of the induction pairs: a span of `spanLength` tokens at `source`, copied at `copy`. */
export const inductionLayout = { vocabSize: 32, spanLength: 8, source: 4, copy: 16 } as const;

/**
 * The logit of one token per sample at the last position (rows beyond the samples repeat them in order, as
 * the grids stack patched copies of the batch).
 */
export function tokenLogit(tokens: readonly number[]): PatchingMetric {
  return (output) =>
    tf.tidy(() => {
      const [rows = 0, positions = 0, vocab = 0] = output.shape;
      const last = tf.reshape(tf.slice(output, [0, positions - 1, 0], [rows, 1, vocab]), [rows, vocab]);
      const ids = Array.from({ length: rows }, (_, row) => tokens[row % tokens.length] ?? 0);
      // oneHot then cast: the wasm OneHot kernel writes integer bits whatever the dtype.
      const pick = tf.cast(tf.oneHot(tf.tensor1d(ids, 'int32'), vocab), 'float32');
      return tf.sum(tf.mul(last, pick), 1);
    });
}

/**
 * Induction: uniform random tokens with the span at positions 4–11 copied at 16–23, cut after position 22,
 * so the last position (a copy of position 10) must predict the token that followed its first occurrence
 * (position 11). Corrupted: the first occurrence (4–11) replaced by other random tokens, so nothing earlier
 * predicts the copy. Metric: the logit of the correct next token at the last position. The layout is fixed
 * (all samples align position by position, as a layer × position grid needs) and within what the model was
 * trained on (random offsets, spans of 4–10, length 32; a causal model computes a prefix exactly).
 */
export function inductionDataset(options: { seed: number; count: number }): StudyDataset {
  const { vocabSize, spanLength, source, copy } = inductionLayout;
  const random = createRandom(options.seed);
  const length = copy + spanLength - 1; // positions 0 … copy + spanLength − 2
  const clean: number[][] = [];
  const corrupted: number[][] = [];
  const answers: number[] = [];
  for (let sample = 0; sample < options.count; sample++) {
    const full = Array.from({ length: copy + spanLength }, () => randomInt(random, vocabSize));
    for (let j = 0; j < spanLength; j++) full[copy + j] = full[source + j] ?? 0;
    const other = [...full];
    for (let j = 0; j < spanLength; j++) {
      let replacement = full[source + j] ?? 0;
      while (replacement === full[source + j]) replacement = randomInt(random, vocabSize);
      other[source + j] = replacement;
    }
    clean.push(full.slice(0, length));
    corrupted.push(other.slice(0, length));
    answers.push(full[copy + spanLength - 1] ?? 0);
  }
  const positionLabels = Array.from({ length }, (_, position) =>
    position >= source && position < source + spanLength
      ? `A${position - source}`
      : position >= copy
        ? `B${position - copy}`
        : 'x',
  );
  return {
    task: 'induction',
    clean,
    corrupted,
    metric: tokenLogit(answers),
    metricName: 'logit of the copied next token, last position',
    positionLabels,
  };
}

/** The data sets of the study (the script and the test use the same). */
export const studySeeds = {
  ioi: { seed: 15, count: 24, template: 0 },
  induction: { seed: 15, count: 24 },
} as const;
