// Generation with and without the key/value cache: a greedy 64-token continuation of a random GPT-2-shaped
// model through @tdhook/adapter-nlp's generate, which reuses the keys and values of earlier positions, against
// the same loop recomputing the whole prefix at every step (useKvCache: false: what a loop of model.call does).
import * as tf from '@tensorflow/tfjs-core';
import { generate, HookedTransformer } from '@tdhook/adapter-nlp';

import { defineScenario, type PreparedVariant, type Scenario } from '../scenario.js';
import { tokenIds } from './transformer.js';

/**
 * A grid point of {@link generationKvCache}: the model's depth and width (heads of 64 units, vocabulary
 * 8,192), the prompt's length and how many tokens to generate.
 *
 * @example
 * const point: GenerationParams = { layers: 6, width: 384, prompt: 8, newTokens: 64 };
 */
export type GenerationParams = {
  readonly layers: number;
  readonly width: number;
  readonly prompt: number;
  readonly newTokens: number;
};

const vocabulary = 8192;
const headSize = 64;

function setup(useKvCache: boolean) {
  return (params: GenerationParams): PreparedVariant => {
    const model = HookedTransformer.create(
      {
        nLayers: params.layers,
        dModel: params.width,
        nHeads: Math.max(1, params.width / headSize),
        nCtx: params.prompt + params.newTokens,
        dVocab: vocabulary,
      },
      { seed: 1 },
    );
    const prompt = tokenIds(1, params.prompt, vocabulary);
    return {
      run: async () => {
        const { tokens } = await generate(model, prompt, { maxNewTokens: params.newTokens, useKvCache });
        return tf.tensor2d(tokens, undefined, 'int32');
      },
      dispose: () => {
        model.dispose();
        prompt.dispose();
      },
    };
  };
}

/**
 * Generation: a greedy continuation of `newTokens` tokens with the key/value cache (`kv-cache`, each prefix
 * position computed once) and without it (`no-cache`, the baseline: the whole sequence again at every step).
 *
 * @example
 * const suite: Suite = [generationKvCache];
 */
export const generationKvCache: Scenario<GenerationParams> = defineScenario<GenerationParams>({
  id: 'generation-kv-cache',
  title: 'Generation with and without the key/value cache',
  description:
    'A greedy continuation of a random GPT-2-shaped model (heads of 64, vocabulary 8,192) through generate: with the key/value cache, each prefix position is computed once; without it (the baseline), the whole sequence is run again at every step.',
  grid: {
    quick: [{ layers: 2, width: 128, prompt: 8, newTokens: 16 }],
    full: [
      { layers: 2, width: 128, prompt: 8, newTokens: 64 },
      { layers: 6, width: 384, prompt: 8, newTokens: 64 },
    ],
  },
  baseline: 'no-cache',
  variants: { 'kv-cache': setup(true), 'no-cache': setup(false) },
  repetitions: { full: { warmup: 1, runs: 3 } },
});
