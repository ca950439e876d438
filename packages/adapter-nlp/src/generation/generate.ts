import * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError } from '@tdhook/core';
import { isTensor, seededRandom } from '@tdhook/core/plugin';

import { HookedTransformer } from '../model/hooked-transformer.js';
import type { KeyValueCache } from '../model/key-value-cache.js';
import { checkGenerateOptions, type GenerateOptions } from './generation-options.js';
import { tokenPicker } from './next-token.js';

/**
 * What {@link generate} returns: plain token ids, no tensors.
 *
 * @example
 * const { tokens, newTokens, finished } = await generate(model, prompt, { maxNewTokens: 5 });
 */
export interface GenerationResult {
  /** Per sequence, the prompt followed by its new tokens. */
  readonly tokens: number[][];
  /** Per sequence, the new tokens only (up to and including a stop token). */
  readonly newTokens: number[][];
  /** Per sequence, whether it ended on a stop token (false: it reached maxNewTokens). */
  readonly finished: boolean[];
}

const where = 'generate(model, tokens, options)';

function checkModel(model: unknown): asserts model is HookedTransformer {
  if (!(model instanceof HookedTransformer)) {
    throw new InvalidValueError({
      what: 'generate runs a HookedTransformer',
      where,
      fix: 'Pass a model made by HookedTransformer.create, fromGpt2Weights or loadGpt2Checkpoint.',
    });
  }
}

/** The last position's logits of every sequence, read to the CPU: `[batch · dVocab]`. */
function lastLogits(logits: tf.Tensor): Float32Array {
  const [batch = 0, length = 0, vocab = 0] = logits.shape;
  const last = tf.slice(logits, [0, length - 1, 0], [batch, 1, vocab]);
  try {
    return last.dataSync() as Float32Array;
  } finally {
    last.dispose();
  }
}

/**
 * Continues each sequence of `tokens` (int32 `[batch, pos]`) by up to `maxNewTokens` tokens, greedily or by
 * seeded sampling (temperature, top-k). The model runs through its hook points at every step, so hooks
 * registered on it (a steering vector on `blocks.0.hook_resid_post`, an ablation of `hook_z`) act on every
 * generated token. With the key/value cache (default) the prompt is computed once and each later step runs the
 * new token only, so hooks then see `[batch, 1, …]` tensors (attention patterns `[batch, head, 1, positions]`);
 * without it every step reruns the whole sequence. Greedy generation gives the same tokens either way.
 * A sequence that emits a stop token ends there; generation ends when every sequence has. Returns plain ids and
 * leaves no tensor behind, also when `onToken` or a hook throws.
 *
 * @example
 * const prompt = tf.tensor2d([[16, 69, 77]], [1, 3], 'int32');
 * const { newTokens } = await generate(model, prompt, { maxNewTokens: 8, strategy: { kind: 'sampled', seed: 1, topK: 10 } });
 * prompt.dispose();
 */
export async function generate(
  model: HookedTransformer,
  tokens: tf.Tensor,
  options: GenerateOptions,
): Promise<GenerationResult> {
  checkModel(model);
  if (!isTensor(tokens) || tokens.isDisposed || tokens.dtype !== 'int32' || tokens.rank !== 2) {
    throw new InvalidValueError({
      what: 'tokens must be a live int32 tensor [batch, pos]',
      where,
      fix: 'Pass tf.tensor2d(ids, [batch, pos], "int32").',
    });
  }
  const [batch = 0, promptLength = 0] = tokens.shape;
  const checked = checkGenerateOptions(options, promptLength, model.config);
  const sequences = (await tokens.array()) as number[][];
  // What the model is fed: rectangular, a finished sequence repeating its last token (its outputs are unused).
  const fed = sequences.map((sequence) => [...sequence]);
  const pick = tokenPicker(
    checked.strategy,
    checked.strategy.kind === 'sampled' ? seededRandom(checked.strategy.seed) : () => 0,
  );
  const { dVocab } = model.config;
  const newTokens: number[][] = sequences.map(() => []);
  const finished = sequences.map(() => false);
  let cache: KeyValueCache | undefined;
  let logits: tf.Tensor | undefined;
  try {
    if (checked.useKvCache) {
      ({ logits, cache } = model.forwardWithCache(tokens));
    } else {
      logits = model.call(tokens);
    }
    for (let step = 0; step < checked.maxNewTokens; step++) {
      const rows = lastLogits(logits);
      logits.dispose();
      logits = undefined;
      const chosen = sequences.map((sequence, b) => {
        if (finished[b]) return sequence[sequence.length - 1] ?? 0; // keeps the batch rectangular; not recorded
        const token = pick(rows, b * dVocab, dVocab);
        sequence.push(token);
        newTokens[b]?.push(token);
        if (checked.stopTokens.has(token)) finished[b] = true;
        return token;
      });
      chosen.forEach((token, b) => fed[b]?.push(token));
      checked.onToken?.({ step, tokens: chosen, finished: [...finished] });
      if (step === checked.maxNewTokens - 1 || finished.every(Boolean)) break;
      if (cache !== undefined) {
        const next = tf.tensor2d(chosen, [batch, 1], 'int32');
        try {
          const result = model.forwardWithCache(next, cache);
          cache.dispose();
          ({ logits, cache } = result);
        } finally {
          next.dispose();
        }
      } else {
        const all = tf.tensor2d(fed, [batch, promptLength + step + 1], 'int32');
        try {
          logits = model.call(all);
        } finally {
          all.dispose();
        }
      }
    }
  } finally {
    logits?.dispose();
    cache?.dispose();
  }
  return { tokens: sequences, newTokens, finished };
}
