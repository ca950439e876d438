// Clean and corrupted IOI prompts for patching: the corrupted prompt repeats the other name as the subject
// ("When Mary and John went to the store, Mary gave a drink to"), so its answer flips while every token but one
// stays where it was. The metric is logit(clean answer) − logit(clean subject) at the last position.
import * as tf from '@tensorflow/tfjs-core';
import type { Tokenizer } from '@tdhook/adapter-nlp';
import { logitDifference, type PatchingMetric } from '@tdhook/intervention';
import { ioiTemplates, type IoiPrompt } from '@tdhook/nlp-assets';

/** A batch of clean prompts, their corrupted twins (same length) and the metric on both. */
export interface IoiPairs {
  readonly clean: tf.Tensor2D;
  readonly corrupted: tf.Tensor2D;
  readonly metric: PatchingMetric;
  /** The clean prompts' texts and the corrupted texts, for the report. */
  readonly cleanTexts: readonly string[];
  readonly corruptedTexts: readonly string[];
  readonly positions: number;
}

/** The prompt with the indirect object as the subject of the second clause. */
export function corruptPrompt(prompt: IoiPrompt): string {
  const [a, b] = prompt.order === 'ABB' ? [prompt.answer, prompt.subject] : [prompt.subject, prompt.answer];
  return (ioiTemplates[prompt.template] ?? '')
    .replace('{A}', a)
    .replace('{B}', b)
    .replace('{S}', prompt.answer);
}

/** Encodes prompts of one template (one length) and their corruptions; the caller disposes the tensors. */
export function ioiPairs(tokenizer: Tokenizer, prompts: readonly IoiPrompt[]): IoiPairs {
  const cleanTexts = prompts.map((prompt) => prompt.text);
  const corruptedTexts = prompts.map(corruptPrompt);
  const cleanIds = cleanTexts.map((text) => tokenizer.encode(text));
  const corruptedIds = corruptedTexts.map((text) => tokenizer.encode(text));
  const positions = cleanIds[0]?.length ?? 0;
  if ([...cleanIds, ...corruptedIds].some((ids) => ids.length !== positions)) {
    throw new Error('ioiPairs: prompts of one template, each name one token, have one length');
  }
  const first = (text: string): number => tokenizer.encode(text)[0] ?? 0;
  return {
    clean: tf.tensor2d(cleanIds, undefined, 'int32'),
    corrupted: tf.tensor2d(corruptedIds, undefined, 'int32'),
    metric: logitDifference({
      answer: prompts.map((prompt) => first(prompt.answer)),
      versus: prompts.map((prompt) => first(prompt.subject)),
    }),
    cleanTexts,
    corruptedTexts,
    positions,
  };
}
