// Activation caching: the output of every block of a small transformer, kept after one forward pass.
// tdhook uses HookSession.capture, the core's own API for "keep this module's output" (nnsight's .save()):
// no method to write, and the captured tensors become the caller's when the session closes. A method plugin
// (apps/example-plugin's activation-norms) is the pattern for values derived inside a workflow; caching the
// raw activations needs none of that.
import * as tf from '@tensorflow/tfjs-core';
import { HookSession } from '@tdhook/core';

import { defineScenario, type PreparedVariant, type Scenario } from '../scenario.js';
import { buildTransformer, plainTransformerForward, tokenIds, type Transformer } from './transformer.js';

/**
 * A grid point of {@link activationCaching}: samples (of 32 tokens each) and transformer blocks.
 *
 * @example
 * const point: ActivationCachingParams = { batch: 32, blocks: 8 };
 */
export type ActivationCachingParams = {
  readonly batch: number;
  readonly blocks: number;
};

const tokens = 32;

function build({ batch, blocks }: ActivationCachingParams): {
  model: Transformer;
  ids: tf.Tensor2D;
  dispose: () => void;
} {
  const model = buildTransformer({ blocks, maxLength: tokens });
  const ids = tokenIds(batch, tokens, model.config.vocabulary);
  return {
    model,
    ids,
    dispose: () => {
      model.dispose();
      ids.dispose();
    },
  };
}

function setupTdhook(params: ActivationCachingParams): PreparedVariant {
  const { model, ids, dispose } = build(params);
  const paths = model.blocks.items.map((_, index) => `blocks[${index}]`);
  const run = (): tf.Tensor[] => {
    const session = new HookSession(model);
    const cached = paths.map((path) => session.capture(path));
    try {
      const result = session.run(() => tf.tidy(() => model.call(ids)));
      if (result.stopped) throw new Error('The forward pass stopped early');
      return [
        result.value,
        ...cached.map((captured, index) => {
          if (captured.value === undefined) throw new Error(`${paths[index] ?? '?'} did not run`);
          return captured.value;
        }),
      ];
    } catch (error) {
      for (const captured of cached) captured.dispose();
      throw error;
    } finally {
      // After close the captured values are ours: returned to the caller, who disposes them.
      session.close();
    }
  };
  return { run, dispose };
}

function setupPlain(params: ActivationCachingParams): PreparedVariant {
  const { model, ids, dispose } = build(params);
  const run = (): tf.Tensor[] =>
    tf.tidy(() => {
      const { output, blocks } = plainTransformerForward(model, ids);
      return [output, ...blocks];
    });
  return { run, dispose };
}

/**
 * Activation caching: one forward pass of a small transformer (width 64, 4 heads, 32 tokens) that keeps every
 * block's output. `tdhook` captures `blocks[i]` for every i with a {@link HookSession}; `plain` is a
 * hand-written forward that returns every block's output. Both return the model output first, then the blocks.
 *
 * @example
 * const suite: Suite = [activationCaching];
 */
export const activationCaching: Scenario<ActivationCachingParams> = defineScenario<ActivationCachingParams>({
  id: 'activation-caching',
  title: 'Activation caching: every block of a small transformer',
  description:
    "The output of every block of a transformer encoder (width 64, 4 heads, 32 tokens) kept after one forward pass: HookSession.capture at each 'blocks[i]' (session opened, run and closed in the measured call) vs a hand-written forward that returns each block's output.",
  grid: {
    quick: [
      { batch: 1, blocks: 4 },
      { batch: 8, blocks: 4 },
    ],
    full: [4, 8].flatMap((blocks) => [1, 8, 32, 128].map((batch) => ({ batch, blocks }))),
  },
  baseline: 'plain',
  variants: { tdhook: setupTdhook, plain: setupPlain },
  repetitions: { quick: { warmup: 2, runs: 10 } },
});
