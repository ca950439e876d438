// Issue requirement: an actor-critic model with two inputs and two heads, explained for both heads in one call.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { registerHook, TensorDict } from '@tdhook/core';
import { seededTensor } from '@tdhook/testing';

import { integratedGradients, saliency, type AttributionTarget } from '../src/index.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

const keys = { inKeys: ['observation', 'goal'], outKeys: ['logits', 'value'] };
const targets: Record<string, AttributionTarget> = {
  actor: { output: 'logits', select: 'argmax' },
  critic: { output: 'value' },
};
const inputNames = ['observation', 'goal'] as const;
const tolerance = { rtol: 1e-5, atol: 1e-7 };

/** observation [N,6] and goal [N,2] → concat → trunk (16, relu) → logits [N,4] and value [N,1]. */
function actorCritic(): tfl.LayersModel {
  const observation = tfl.input({ shape: [6], name: 'observation' });
  const goal = tfl.input({ shape: [2], name: 'goal' });
  const joined = tfl.layers.concatenate({ name: 'joined' }).apply([observation, goal]);
  const trunk = tfl.layers.dense({ units: 16, activation: 'relu', name: 'trunk' }).apply(joined);
  const logits = tfl.layers.dense({ units: 4, name: 'logits' }).apply(trunk) as tfl.SymbolicTensor;
  const value = tfl.layers.dense({ units: 1, name: 'value' }).apply(trunk) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: [observation, goal], outputs: [logits, value] });
  // Deterministic weights, the same on every backend.
  for (const [index, layer] of model.layers.entries()) {
    const values = layer.getWeights().map((weight, part) => seededTensor(weight.shape, 10 * index + part, 1));
    if (values.length > 0) layer.setWeights(values);
    tf.dispose(values);
  }
  return model;
}

function batch(): TensorDict {
  return new TensorDict(
    { observation: seededTensor([5, 6], 1, 2), goal: seededTensor([5, 2], 2, 2) },
    { batchShape: [5] },
  );
}

/** The two objectives by hand: the predicted logit (classes fixed at `at`) and the value. Call in a tidy. */
function objectives(
  model: tfl.LayersModel,
  at: readonly tf.Tensor[],
): ((o: tf.Tensor, g: tf.Tensor) => tf.Tensor)[] {
  const [logitsAtX] = model.apply([...at]) as tf.Tensor[];
  const mask = tf.cast(tf.oneHot(tf.argMax(logitsAtX as tf.Tensor, -1), 4), 'float32');
  return [
    (o, g) => tf.sum(tf.mul((model.apply([o, g]) as tf.Tensor[])[0] as tf.Tensor, mask)),
    (o, g) => tf.sum((model.apply([o, g]) as tf.Tensor[])[1] as tf.Tensor),
  ];
}

/** `[head][input]` gradients by hand with tf.grads. */
function handGradients(model: tfl.LayersModel, data: TensorDict): tf.Tensor[][] {
  const xs = inputNames.map((name) => data.getTensor(name));
  return tf.tidy(() =>
    objectives(model, xs).map((objective) => tf.grads((o: tf.Tensor, g: tf.Tensor) => objective(o, g))(xs)),
  );
}

describe('one call explains both heads of a two-input actor-critic model', () => {
  it.each(['shared', 'loop'] as const)(
    'saliency (%s strategy) equals tf.grads per head and input',
    (strategy) => {
      const model = actorCritic();
      using data = batch();
      const expected = handGradients(model, data);
      let forwardCalls = 0;
      {
        using _counting = registerHook(model, 'trunk', 'forward', () => {
          forwardCalls++;
        });
        using prepared = saliency({ targets, strategy }).prepare(model, keys);
        using result = prepared.run(data);
        ['actor', 'critic'].forEach((head, h) => {
          inputNames.forEach((input, i) => {
            expect(result.getTensor(['attr', head, input])).toBeCloseToTensor(
              expected[h]?.[i] as tf.Tensor,
              tolerance,
            );
          });
        });
        expect(result.getTensor('logits').shape).toEqual([5, 4]);
        expect(result.getTensor('value').shape).toEqual([5, 1]);
      }
      // One forward shared by the two backward passes, or one per head.
      expect(forwardCalls).toBe(strategy === 'shared' ? 1 : 2);
      tf.dispose(expected.flat());
      model.dispose();
    },
  );

  it("the 'loop' and 'shared' strategies agree", () => {
    const model = actorCritic();
    using data = batch();
    using shared = saliency({ targets, multiplyByInputs: true }).prepare(model, keys);
    using sharedResult = shared.run(data);
    shared.restore();
    using loop = saliency({ targets, multiplyByInputs: true, strategy: 'loop' }).prepare(model, keys);
    using loopResult = loop.run(data);
    for (const head of ['actor', 'critic']) {
      for (const input of inputNames) {
        expect(loopResult.getTensor(['attr', head, input])).toBeCloseToTensor(
          sharedResult.getTensor(['attr', head, input]),
          { rtol: 0, atol: 0 },
        );
      }
    }
    model.dispose();
  });

  it('integrated gradients for both heads equal a hand-written Riemann sum', () => {
    const model = actorCritic();
    using data = batch();
    const steps = 8;
    const xs = inputNames.map((name) => data.getTensor(name));
    // IG with a zero baseline: x ⊙ (1/n) Σᵢ ∇f(αᵢ x), αᵢ = (i + 1)/n; classes fixed at x.
    const expected = tf.tidy(() =>
      objectives(model, xs).map((objective) => {
        const sums = xs.map((x) => tf.zerosLike(x));
        for (let i = 0; i < steps; i++) {
          const alpha = (i + 1) / steps;
          const gradients = tf.grads((o: tf.Tensor, g: tf.Tensor) => objective(o, g))(
            xs.map((x) => tf.mul(x, alpha)),
          );
          gradients.forEach((gradient, index) => {
            sums[index] = tf.add(sums[index] as tf.Tensor, tf.div(gradient, steps));
          });
        }
        return sums.map((sum, index) => tf.mul(sum, xs[index] as tf.Tensor));
      }),
    );
    {
      using prepared = integratedGradients({ targets, steps, method: 'riemann_right', baselines: 0 }).prepare(
        model,
        keys,
      );
      using result = prepared.run(data);
      ['actor', 'critic'].forEach((head, h) => {
        inputNames.forEach((input, i) => {
          expect(result.getTensor(['attr', head, input])).toBeCloseToTensor(expected[h]?.[i] as tf.Tensor, {
            rtol: 1e-4,
            atol: 1e-6,
          });
        });
      });
    }
    tf.dispose(expected.flat());
    model.dispose();
  });
});
