// Clean and corrupted IOI prompts for patching, two ways. "abc" (Wang et al. 2022, and the AtP/RelP study in
// packages/intervention/docs): the repeated subject becomes a third name, so nothing tells the indirect object
// from the subject any more. "flip": the indirect object is repeated instead, so the answer flips. Either way
// every token but one stays where it was, and the metric is logit(clean answer) − logit(clean subject) at the
// last position.
import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import type { Tokenizer } from '@tdhook/adapter-nlp';
import { logitDifference, type PatchingMetric } from '@tdhook/intervention';
import { createRandom, ioiNames, randomInt, type IoiPrompt } from '@tdhook/nlp-assets';

/** How the corrupted prompt differs from the clean one. */
export type IoiCorruption = 'abc' | 'flip';

/** A batch of clean prompts, their corrupted twins (same length) and the metric on both. */
export interface IoiPairs {
  readonly corruption: IoiCorruption;
  readonly clean: tf.Tensor2D;
  readonly corrupted: tf.Tensor2D;
  readonly metric: PatchingMetric;
  /** The first pair's texts, for the report. */
  readonly example: { readonly clean: string; readonly corrupted: string };
  readonly positions: number;
}

/** The prompt with its last name (the subject of the second clause; names are capitalised) replaced. */
function replaceSubject(prompt: IoiPrompt, name: string): string {
  const at = prompt.text.lastIndexOf(prompt.subject);
  return `${prompt.text.slice(0, at)}${name}${prompt.text.slice(at + prompt.subject.length)}`;
}

/**
 * The corrupted texts. For "abc" the third names are drawn from `createRandom(seed + 1)` in prompt order, as the
 * study draws them, so that the same prompts give the study's pairs.
 */
function corruptTexts(prompts: readonly IoiPrompt[], corruption: IoiCorruption, seed: number): string[] {
  if (corruption === 'flip') return prompts.map((prompt) => replaceSubject(prompt, prompt.answer));
  const random = createRandom(seed + 1);
  return prompts.map((prompt) => {
    let third = prompt.answer;
    while (third === prompt.answer || third === prompt.subject) {
      third = ioiNames[randomInt(random, ioiNames.length)] ?? '';
    }
    return replaceSubject(prompt, third);
  });
}

/**
 * Encodes prompts of one template (one length; `seed` is the one they were generated with) and their
 * corruptions; the caller disposes the tensors.
 */
export function ioiPairs(
  tokenizer: Tokenizer,
  prompts: readonly IoiPrompt[],
  corruption: IoiCorruption,
  seed: number,
): IoiPairs {
  const corruptedTexts = corruptTexts(prompts, corruption, seed);
  const cleanIds = prompts.map((prompt) => tokenizer.encode(prompt.text));
  const corruptedIds = corruptedTexts.map((text) => tokenizer.encode(text));
  const positions = cleanIds[0]?.length ?? 0;
  if ([...cleanIds, ...corruptedIds].some((ids) => ids.length !== positions)) {
    throw new Error('ioiPairs: prompts of one template, each name one token, have one length');
  }
  const first = (text: string): number => tokenizer.encode(text)[0] ?? 0;
  return {
    corruption,
    clean: tf.tensor2d(cleanIds, undefined, 'int32'),
    corrupted: tf.tensor2d(corruptedIds, undefined, 'int32'),
    metric: logitDifference({
      answer: prompts.map((prompt) => first(prompt.answer)),
      versus: prompts.map((prompt) => first(prompt.subject)),
    }),
    example: { clean: prompts[0]?.text ?? '', corrupted: corruptedTexts[0] ?? '' },
    positions,
  };
}

/** The methods' data: the clean inputs under `input`, the corrupted run that receives the patch under `patched`. */
export function patchingData(pairs: IoiPairs): TensorDict {
  return new TensorDict(
    { input: pairs.clean.clone(), patched: { input: pairs.corrupted.clone() } },
    { batchShape: [pairs.clean.shape[0]] },
  );
}
