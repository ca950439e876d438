// ActorCritic: its forward pass by hand, its own keys, and the methods that explain it (saliency and
// integrated gradients of both heads in one call, LRP through the Linear layers and tanh activations).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { namedModules, resolveModule, TensorDict, type Module } from '@tdhook/core';
import { integratedGradients, lrp, mapLrpRules, saliency } from '@tdhook/attribution';
import { seededTensor } from '@tdhook/testing';

import { ActorCritic } from '../src/index.js';
import type { Linear } from '../src/modules/linear.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

const targets = { action: { output: 'logits', select: 'argmax' }, value: { output: 'value' } } as const;
const tolerance = { rtol: 1e-5, atol: 1e-6 };

function policy(): ActorCritic {
  return new ActorCritic({ observationSize: 4, actions: 2, hidden: [8, 8], seed: 3 });
}

function observations(): TensorDict {
  return new TensorDict({ observation: seededTensor([5, 4], 11, 1) }, { batchShape: [5] });
}

function layer(model: ActorCritic, head: 'actor' | 'critic', index: number): Linear {
  return resolveModule(model, `${head}.${index}`) as Linear;
}

/** The MLP of one head written out: x·W0 + b0 → tanh → ·W2 + b2 → tanh → ·W4 + b4. Call in a tidy. */
function byHand(model: ActorCritic, head: 'actor' | 'critic', x: tf.Tensor): tf.Tensor {
  let h = x;
  for (const index of [0, 2, 4]) {
    const linear = layer(model, head, index);
    h = tf.add(tf.matMul(h as tf.Tensor2D, linear.kernel as tf.Tensor2D), linear.bias as tf.Tensor);
    if (index < 4) h = tf.tanh(h);
  }
  return h;
}

describe('ActorCritic', () => {
  it('computes logits, the greedy action and the value as the MLPs written out', () => {
    const model = policy();
    using data = observations();
    const x = data.getTensor('observation');
    // Modules leave intermediates to the caller's tidy, as TF.js layers do.
    const out = tf.tidy(() => model.call(x));
    const logits = tf.tidy(() => byHand(model, 'actor', x));
    const value = tf.tidy(() => tf.squeeze(byHand(model, 'critic', x), [-1]));
    expect(out.logits).toBeCloseToTensor(logits, tolerance);
    expect(out.value).toBeCloseToTensor(value, tolerance);
    expect(out.value.shape).toEqual([5]);
    expect(out.action.dtype).toBe('int32');
    const greedy = tf.tidy(() => Array.from(tf.argMax(logits, -1).dataSync()));
    expect(Array.from(out.action.dataSync())).toEqual(greedy);
    expect(model.inKeys).toEqual(['observation']);
    expect(model.outKeys).toEqual({ logits: 'logits', action: 'action', value: 'value' });
    tf.dispose([out.logits, out.value, out.action, logits, value]);
    model.dispose();
  });

  it('names its modules actor.0 … actor.4 and critic.0 … critic.4, seeded', () => {
    const model = policy();
    const again = policy();
    const other = new ActorCritic({ observationSize: 4, actions: 2, hidden: [8, 8], seed: 4 });
    const paths = namedModules(model).map(([path, node]) => `${path}:${(node as Module).typeName}`);
    expect(paths).toContain('actor.0:Linear');
    expect(paths).toContain('actor.1:Lambda(tanh)');
    expect(paths).toContain('critic.4:Linear');
    expect(layer(model, 'critic', 4).kernel).toBeCloseToTensor(layer(again, 'critic', 4).kernel, {
      rtol: 0,
      atol: 0,
    });
    const differ = tf.tidy(
      () =>
        tf.any(tf.notEqual(layer(model, 'actor', 0).kernel, layer(other, 'actor', 0).kernel)).dataSync()[0],
    );
    expect(differ).toBe(1);
    model.dispose();
    again.dispose();
    other.dispose();
  });

  it('rejects bad options with typed errors', () => {
    expect(() => new ActorCritic({ observationSize: 0, actions: 2 })).toThrowTdhookError('E_INVALID_VALUE');
    expect(() => new ActorCritic({ observationSize: 4, actions: 2, hidden: [8, 1.5] })).toThrowTdhookError(
      'E_INVALID_VALUE',
    );
    expect(
      () => new ActorCritic({ observationSize: 4, actions: 2, activation: 'gelu' as never }),
    ).toThrowTdhookError('E_INVALID_VALUE');
  });
});

describe('methods on ActorCritic without keys', () => {
  it('saliency explains the chosen logit and the value in one call, equal to tf.grads', () => {
    const model = policy();
    using data = observations();
    const x = data.getTensor('observation');
    const [actionGrad, valueGrad] = tf.tidy((): [tf.Tensor, tf.Tensor] => {
      const mask = tf.oneHot(tf.argMax(byHand(model, 'actor', x), -1), 2);
      return [
        tf.grad((o: tf.Tensor) => tf.sum(tf.mul(byHand(model, 'actor', o), mask)))(x),
        tf.grad((o: tf.Tensor) => tf.sum(byHand(model, 'critic', o)))(x),
      ];
    });
    {
      using prepared = saliency({ targets, absolute: false }).prepare(model);
      using result = prepared.run(data);
      expect(result.getTensor(['attr', 'action', 'observation'])).toBeCloseToTensor(actionGrad, tolerance);
      expect(result.getTensor(['attr', 'value', 'observation'])).toBeCloseToTensor(valueGrad, tolerance);
      expect(result.getTensor('action').dtype).toBe('int32');
    }
    tf.dispose([actionGrad, valueGrad]);
    model.dispose();
  });

  it('integrated gradients of both heads add up to the change from the zero baseline', () => {
    const model = policy();
    using data = observations();
    const x = data.getTensor('observation');
    {
      using prepared = integratedGradients({ targets, baselines: 0, steps: 64 }).prepare(model);
      using result = prepared.run(data);
      const chosen = tf.tidy(() => tf.oneHot(tf.argMax(byHand(model, 'actor', x), -1), 2));
      const expected = tf.tidy(() => {
        const zero = tf.zerosLike(x);
        return [
          tf.sum(tf.mul(tf.sub(byHand(model, 'actor', x), byHand(model, 'actor', zero)), chosen), -1),
          tf.squeeze(tf.sub(byHand(model, 'critic', x), byHand(model, 'critic', zero)), [-1]),
        ];
      });
      const sums = tf.tidy(() => [
        tf.sum(result.getTensor(['attr', 'action', 'observation']), -1),
        tf.sum(result.getTensor(['attr', 'value', 'observation']), -1),
      ]);
      expect(sums[0]).toBeCloseToTensor(expected[0] as tf.Tensor, { rtol: 0, atol: 2e-3 });
      expect(sums[1]).toBeCloseToTensor(expected[1] as tf.Tensor, { rtol: 0, atol: 2e-3 });
      tf.dispose([chosen, ...expected, ...sums]);
    }
    model.dispose();
  });

  it('LRP sees Linear layers as dense and the tanh Lambdas as activations, and equals LRP-ε by hand', () => {
    const model = policy();
    const kinds = mapLrpRules(model, { composite: 'epsilon' }).map(({ path, kind, rule }) => [
      path,
      kind,
      rule?.name,
    ]);
    expect(kinds).toContainEqual(['actor.0', 'dense', 'epsilon']);
    expect(kinds).toContainEqual(['actor.1', 'activation', 'pass']);
    expect(kinds).toContainEqual(['critic.3', 'activation', 'pass']);
    using data = observations();
    const x = data.getTensor('observation');
    // LRP-ε by hand: start from one-hot(argmax) at the logits, R_in = h ⊙ (R / stab(z))·Wᵀ per Linear.
    const expected = tf.tidy(() => {
      const inputs: tf.Tensor[] = [x];
      const preActivations: tf.Tensor[] = [];
      for (const index of [0, 2, 4]) {
        const linear = layer(model, 'actor', index);
        const z = tf.add(
          tf.matMul(inputs.at(-1) as tf.Tensor2D, linear.kernel as tf.Tensor2D),
          linear.bias as tf.Tensor,
        );
        preActivations.push(z);
        if (index < 4) inputs.push(tf.tanh(z));
      }
      let relevance: tf.Tensor = tf.oneHot(tf.argMax(preActivations[2] as tf.Tensor, -1), 2);
      for (const step of [2, 1, 0]) {
        const z = preActivations[step] as tf.Tensor;
        const stab = tf.add(z, tf.mul(tf.sub(tf.mul(tf.cast(tf.greaterEqual(z, 0), 'float32'), 2), 1), 1e-6));
        const kernel = layer(model, 'actor', 2 * step).kernel as tf.Tensor2D;
        relevance = tf.mul(
          inputs[step] as tf.Tensor,
          tf.matMul(tf.div<tf.Tensor2D>(relevance, stab), kernel, false, true),
        );
      }
      return relevance;
    });
    {
      using prepared = lrp({ composite: 'epsilon', target: { output: 'logits', select: 'argmax' } }).prepare(
        model,
      );
      using result = prepared.run(data);
      expect(result.getTensor(['attr', 'observation'])).toBeCloseToTensor(expected, {
        rtol: 1e-4,
        atol: 1e-6,
      });
    }
    expected.dispose();
    model.dispose();
  });
});
