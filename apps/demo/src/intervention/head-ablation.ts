// Head ablation through @tdhook/intervention: steeringVectors with a zeroing steer on a unit Target (one head of
// hook_z, axis 2), on the IOI section's held-out prompts. The drop of the mean logit difference per head is the
// IOI section's table, recomputed through the method instead of a hand-written hook.
import * as tf from '@tensorflow/tfjs-core';
import { KeyedModel, TensorDict } from '@tdhook/core';
import type { HookedTransformer, Tokenizer } from '@tdhook/adapter-nlp';
import { steeringVectors } from '@tdhook/intervention';
import { ioiTemplates, type IoiPrompt } from '@tdhook/nlp-assets';

/** The clean mean logit difference and, per head (layer-major), its mean with that head zeroed. */
export interface HeadAblation {
  /** How many prompts each mean is over. */
  readonly prompts: number;
  readonly clean: number;
  readonly labels: readonly string[];
  readonly ablated: readonly number[];
}

/** One batch per template (one length each), with the answer and subject tokens of each prompt. */
interface PromptBatch {
  readonly data: TensorDict;
  readonly answers: readonly number[];
  readonly subjects: readonly number[];
}

function batches(tokenizer: Tokenizer, prompts: readonly IoiPrompt[]): PromptBatch[] {
  const first = (text: string): number => tokenizer.encode(text)[0] ?? 0;
  return ioiTemplates
    .map((_, template) => prompts.filter((prompt) => prompt.template === template))
    .filter((group) => group.length > 0)
    .map((group) => ({
      data: new TensorDict(
        {
          input: tf.tensor2d(
            group.map((prompt) => tokenizer.encode(prompt.text)),
            undefined,
            'int32',
          ),
        },
        { batchShape: [group.length] },
      ),
      answers: group.map((prompt) => first(prompt.answer)),
      subjects: group.map((prompt) => first(prompt.subject)),
    }));
}

/** Sum over the batch of logit(answer) − logit(subject) at the last position of `logits` [batch, pos, vocab]. */
function logitDifferenceSum(logits: tf.Tensor, batch: PromptBatch): number {
  const [rows = 0, positions = 0, vocabulary = 0] = logits.shape;
  const last = tf.tidy(() =>
    tf.reshape(tf.slice(logits, [0, positions - 1, 0], [rows, 1, vocabulary]), [rows, vocabulary]),
  );
  const values = last.arraySync() as number[][];
  last.dispose();
  return values.reduce(
    (sum, row, i) => sum + (row[batch.answers[i] ?? 0] ?? 0) - (row[batch.subjects[i] ?? 0] ?? 0),
    0,
  );
}

/** Mean logit difference over all batches, each run through `run`. */
function meanOver(all: readonly PromptBatch[], run: (data: TensorDict) => TensorDict): number {
  let sum = 0;
  let count = 0;
  for (const batch of all) {
    using result = run(batch.data);
    sum += logitDifferenceSum(result.getTensor('output'), batch);
    count += batch.answers.length;
  }
  return sum / count;
}

/** Zeroes each head in turn (all positions) and measures the mean logit difference. */
export function ablateHeads(
  model: HookedTransformer,
  tokenizer: Tokenizer,
  prompts: readonly IoiPrompt[],
): HeadAblation {
  const all = batches(tokenizer, prompts);
  try {
    const { nLayers, nHeads } = model.config;
    const keyed = new KeyedModel(model);
    const clean = meanOver(all, (data) => keyed.run(data));
    const labels: string[] = [];
    const ablated: number[] = [];
    for (let layer = 0; layer < nLayers; layer++) {
      for (let head = 0; head < nHeads; head++) {
        const target = { path: `blocks.${String(layer)}.attn.hook_z`, featureAxis: 2, indices: [head] };
        using prepared = steeringVectors({
          modules: [target],
          steer: ({ output }) => tf.zerosLike(output),
        }).prepare(model);
        labels.push(`L${String(layer)}H${String(head)}`);
        ablated.push(meanOver(all, (data) => prepared.run(data)));
      }
    }
    return { prompts: prompts.length, clean, labels, ablated };
  } finally {
    for (const batch of all) batch.data.dispose();
  }
}
