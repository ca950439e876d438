// The paper's gpt2_cache scenario: one forward pass of a GPT-2-shaped transformer (random weights) that keeps
// every hook point TransformerLens caches, through @tdhook/adapter-nlp's runWithCache, against GPT-2's
// forward written by hand in plain TF.js returning the same tensors. Also how the cache's memory follows the
// selection (runWithCache with a regex) and what a bare forward pass costs.
import * as tf from '@tensorflow/tfjs-core';
import { HookedTransformer, resolveTransformerConfig, type TransformerConfig } from '@tdhook/adapter-nlp';

import { defineScenario, type PreparedVariant, type Scenario } from '../scenario.js';
import { plainGpt2Forward } from './gpt2-plain.js';
import { tokenIds } from './transformer.js';

/**
 * A grid point of {@link gpt2Cache}: the model's vocabulary, depth and width (heads of 64 units; GPT-2's
 * context), and the input's batch and length.
 *
 * @example
 * const gpt2Small: Gpt2CacheParams = { vocabulary: 50257, layers: 12, width: 768, batch: 1, tokens: 128 };
 */
export type Gpt2CacheParams = {
  readonly vocabulary: number;
  readonly layers: number;
  readonly width: number;
  readonly batch: number;
  readonly tokens: number;
};

// GPT-2's vocabulary and context length; heads of 64 units as in every GPT-2 size. The quick grid uses a
// small vocabulary so that its logits do not hide what the cache costs.
const gpt2Vocabulary = 50257;
const smallVocabulary = 1024;
const gpt2Context = 1024;
const headSize = 64;

function modelConfig({ vocabulary, layers, width }: Gpt2CacheParams): TransformerConfig {
  return {
    nLayers: layers,
    dModel: width,
    nHeads: width / headSize,
    nCtx: gpt2Context,
    dVocab: vocabulary,
  };
}

// What TransformerLens's run_with_cache keeps by default: every hook point but the per-head results, which it
// computes only with use_attn_result.
const everyHookPoint = (model: HookedTransformer): string[] =>
  model.hookPoints().filter((name) => !name.endsWith('.hook_result'));

function setupRunWithCache(select: (model: HookedTransformer) => readonly string[] | RegExp) {
  return (params: Gpt2CacheParams): PreparedVariant => {
    const model = HookedTransformer.create(modelConfig(params), { seed: 1 });
    const ids = tokenIds(params.batch, params.tokens, params.vocabulary);
    const names = select(model);
    return {
      run: () => {
        const { logits, cache } = model.runWithCache(ids, { names });
        // The harness waits for and disposes what run returns: hand it the cached tensors (clones share the
        // data, so this copies nothing), not the dict.
        const tensors = [logits, ...cache.keys().map((key) => tf.clone(cache.getTensor(key)))];
        cache.dispose();
        return tensors;
      },
      dispose: () => {
        model.dispose();
        ids.dispose();
      },
    };
  };
}

function setupPlain(params: Gpt2CacheParams): PreparedVariant {
  const model = HookedTransformer.create(modelConfig(params), { seed: 1 });
  const weights = model.gpt2Weights();
  model.dispose();
  const shape = resolveTransformerConfig(modelConfig(params));
  const ids = tokenIds(params.batch, params.tokens, params.vocabulary);
  return {
    run: () =>
      tf.tidy(() => {
        const { logits, activations } = plainGpt2Forward(weights, shape, ids);
        return [logits, ...activations.values()];
      }),
    dispose: () => {
      for (const tensor of Object.values(weights)) tensor.dispose();
      ids.dispose();
    },
  };
}

function setupForward(params: Gpt2CacheParams): PreparedVariant {
  const model = HookedTransformer.create(modelConfig(params), { seed: 1 });
  const ids = tokenIds(params.batch, params.tokens, params.vocabulary);
  return {
    run: (): tf.Tensor => model.call(ids),
    dispose: () => {
      model.dispose();
      ids.dispose();
    },
  };
}

/**
 * gpt2_cache: every hook point of a GPT-2-shaped model (GPT-2 small: 12 layers, width 768, sequence 128)
 * cached in one forward pass. `tdhook` is `runWithCache` over every hook point; `plain` is GPT-2's forward
 * written by hand, returning the same tensors (the baseline); goal: speed-up ≥ 1.0, tensor peak ≤ 1.1×.
 *
 * @example
 * const suite: Suite = [gpt2Cache];
 */
export const gpt2Cache: Scenario<Gpt2CacheParams> = defineScenario<Gpt2CacheParams>({
  id: 'gpt2-cache',
  title: 'gpt2_cache: every hook point of a GPT-2-shaped model',
  description:
    'One forward pass of a GPT-2-architecture model with random weights (heads of 64; GPT-2’s vocabulary of 50,257, 1,024 in the quick grid) keeping every hook point TransformerLens caches by default: runWithCache over all of them vs GPT-2’s forward written by hand in plain TF.js returning the same tensors. Goal: speed-up ≥ 1.0, tensor peak ≤ 1.1×.',
  grid: {
    quick: [{ vocabulary: smallVocabulary, layers: 2, width: 256, batch: 1, tokens: 64 }],
    full: [
      { vocabulary: gpt2Vocabulary, layers: 12, width: 768, batch: 1, tokens: 128 },
      { vocabulary: gpt2Vocabulary, layers: 6, width: 512, batch: 4, tokens: 128 },
    ],
  },
  baseline: 'plain',
  variants: { tdhook: setupRunWithCache(everyHookPoint), plain: setupPlain },
  repetitions: { full: { warmup: 1, runs: 5 } },
});

/**
 * runWithCache with a selection: memory follows what is selected. The baseline is the bare forward pass
 * (`model.call`); `all` caches every hook point, `resid-post` each block's residual stream, `pattern` each
 * layer's attention pattern, `blocks-0` the hook points of the first block only.
 *
 * @example
 * const suite: Suite = [runWithCacheSelection];
 */
export const runWithCacheSelection: Scenario<Gpt2CacheParams> = defineScenario<Gpt2CacheParams>({
  id: 'run-with-cache-selection',
  title: 'runWithCache: memory follows the selection',
  description:
    'The same GPT-2-shaped model and input as gpt2-cache: the bare forward pass (the baseline), and runWithCache over every hook point, over /hook_resid_post$/, over /hook_pattern$/ and over the first block’s hook points. The tensor peak of each over the bare forward shows what the selection costs.',
  grid: {
    quick: [{ vocabulary: smallVocabulary, layers: 2, width: 256, batch: 1, tokens: 64 }],
    full: [{ vocabulary: gpt2Vocabulary, layers: 12, width: 768, batch: 1, tokens: 128 }],
  },
  baseline: 'forward',
  variants: {
    forward: setupForward,
    all: setupRunWithCache(everyHookPoint),
    'resid-post': setupRunWithCache(() => /hook_resid_post$/),
    pattern: setupRunWithCache(() => /hook_pattern$/),
    'blocks-0': setupRunWithCache((model) =>
      everyHookPoint(model).filter((name) => name.startsWith('blocks.0.')),
    ),
  },
  repetitions: { full: { warmup: 1, runs: 5 } },
});
