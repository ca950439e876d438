// The IOI setting of the patching scenarios: @tdhook/nlp-assets's IOI model (2 attention-only layers × 4
// heads, d 64, 74 word tokens) and seeded clean/corrupted prompt pairs of one 15-token template. Imported when
// a variant is set up, so the suite loads without the optional peers.
import * as tf from '@tensorflow/tfjs-core';
import type { HookedTransformer } from '@tdhook/adapter-nlp';
import { TensorDict } from '@tdhook/core';

// 'While {A} and {B} were working at the school, {S} gave a book to': 15 tokens, as the IOI grid.
const template = 4;

/**
 * The IOI model with `samples` clean/corrupted prompt pairs. Clean: "While A and B …, S gave a book to" with
 * S the subject (the answer is the other name); corrupted: the same prompt with S replaced by the answer, so
 * the answer flips. The metric is the clean answer's logit minus the subject's at the last position.
 *
 * @example
 * const ioi = await loadIoiPatching(4);
 * ioi.clean.shape; // [4, 15]
 * ioi.dispose();
 */
export interface IoiPatching {
  readonly model: HookedTransformer;
  /** Token ids `[samples, positions]`, int32. */
  readonly clean: tf.Tensor2D;
  readonly corrupted: tf.Tensor2D;
  /** Per sample: the clean run's answer and subject token. */
  readonly answer: readonly number[];
  readonly subject: readonly number[];
  readonly positions: number;
  /** The grid methods' data: clean under `input`, corrupted under `['patched', 'input']` (a new dict each call). */
  data(): TensorDict;
  dispose(): void;
}

/**
 * Loads the IOI model and `samples` seeded prompt pairs (seed 15, held-out name pairs).
 *
 * @example
 * const { model, clean, corrupted, dispose } = await loadIoiPatching(1);
 */
export async function loadIoiPatching(samples: number): Promise<IoiPatching> {
  const { generateIoiPrompts, loadIoiModel } = await import('@tdhook/nlp-assets');
  const { model, tokenizer } = await loadIoiModel();
  const prompts = generateIoiPrompts({ seed: 15, count: samples, split: 'held-out', template });
  const encode = (text: string): number[] => tokenizer.encode(text);
  const token = (word: string): number => {
    const [id] = encode(word);
    if (id === undefined) throw new Error(`no token for ${word}`);
    return id;
  };
  const cleanIds = prompts.map((prompt) => encode(prompt.text));
  // The subject's second mention is the 11th token (index 10): replace it with the answer.
  const corruptedIds = prompts.map((prompt, index) => {
    const ids = [...(cleanIds[index] ?? [])];
    ids[10] = token(prompt.answer);
    return ids;
  });
  const positions = cleanIds[0]?.length ?? 0;
  const clean = tf.tensor2d(cleanIds, [samples, positions], 'int32');
  const corrupted = tf.tensor2d(corruptedIds, [samples, positions], 'int32');
  return {
    model,
    clean,
    corrupted,
    answer: prompts.map((prompt) => token(prompt.answer)),
    subject: prompts.map((prompt) => token(prompt.subject)),
    positions,
    data: () =>
      new TensorDict(
        { input: tf.clone(clean), patched: { input: tf.clone(corrupted) } },
        { batchShape: [samples] },
      ),
    dispose: () => {
      model.dispose();
      tf.dispose([clean, corrupted]);
    },
  };
}
