// PPO's pieces checked by hand: GAE(λ) against numbers worked out on paper (termination, truncation and the
// rollout's end), and the clipped loss against the formula evaluated in float64 from the policy's outputs.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { ActorCritic, generalizedAdvantages, ppoLoss } from '../src/index.js';

describe('generalizedAdvantages', () => {
  it('equals the hand computation with a terminal step, a truncated step and a bootstrapped end', () => {
    // γ = 0.9, λ = 0.8, so γλ = 0.72. Env 0 terminates at step 2; env 1 is truncated at step 1.
    // Env 0: δ3 = 1 + 0.9·0.9 − 0.8 = 1.01 (bootstrapped end); δ2 = 1 − 0.7 = 0.3 (terminal: no next value);
    //        A1 = (1 + 0.9·0.7 − 0.6) + 0.72·0.3 = 1.246; A0 = (1 + 0.9·0.6 − 0.5) + 0.72·1.246 = 1.93712.
    // Env 1: A3 = 0 + 0.9·5 − 1 = 3.5; A2 = (2 + 0.9·4 − 1) + 0.72·3.5 = 7.12; A1 = 1 + 0.9·3 − 1 = 2.7 (cut:
    //        truncated, yet bootstrapped from its last observation); A0 = (0 + 0.9·2 − 1) + 0.72·2.7 = 2.744.
    const { advantages, returns } = generalizedAdvantages(
      {
        envs: 2,
        steps: 4,
        rewards: [1, 1, 1, 1, 0, 1, 2, 0],
        values: [0.5, 0.6, 0.7, 0.8, 1, 1, 1, 1],
        nextValues: [0.6, 0.7, 99, 0.9, 2, 3, 4, 5],
        terminated: [0, 0, 1, 0, 0, 0, 0, 0],
        done: [0, 0, 1, 0, 0, 1, 0, 0],
      },
      { gamma: 0.9, lambda: 0.8 },
    );
    const expected = [1.93712, 1.246, 0.3, 1.01, 2.744, 2.7, 7.12, 3.5];
    expect(advantages).toBeCloseToTensor(Float32Array.from(expected), { rtol: 1e-6, atol: 1e-6 });
    const values = [0.5, 0.6, 0.7, 0.8, 1, 1, 1, 1];
    expect(returns).toBeCloseToTensor(Float32Array.from(expected.map((a, i) => a + (values[i] as number))), {
      rtol: 1e-6,
      atol: 1e-6,
    });
  });

  it('with γ = λ = 1 gives the Monte-Carlo return minus the value', () => {
    const { advantages } = generalizedAdvantages(
      {
        envs: 1,
        steps: 3,
        rewards: [1, 2, 3],
        values: [0.5, 0.25, 2],
        nextValues: [0.25, 2, 0],
        terminated: [0, 0, 1],
        done: [0, 0, 1],
      },
      { gamma: 1, lambda: 1 },
    );
    expect(advantages).toBeCloseToTensor(Float32Array.from([6 - 0.5, 5 - 0.25, 3 - 2]), {
      rtol: 1e-6,
      atol: 1e-6,
    });
  });
});

describe('ppoLoss', () => {
  it('equals the clipped surrogate, value loss and entropy computed by hand', () => {
    const policy = new ActorCritic({ observationSize: 4, actions: 3, hidden: [8], seed: 5 });
    const observations = Array.from({ length: 6 }, (_, i) => [0.1 * i, -0.2, 0.05 * i, 0.3 - 0.1 * i]);
    const actions = [0, 1, 2, 1, 0, 2];
    const advantage = [1.5, -0.5, 0.8, -1.2, 0.3, 2];
    const target = [1, 0, -1, 0.5, 2, 0];
    // Old log-probabilities shifted from the current ones, so that some ratios leave [0.8, 1.2] both ways.
    const shift = [0.5, -0.5, 0.1, 0.3, -0.05, -0.4];
    const observation = tf.tensor2d(observations);
    const { logits, value } = tf.tidy(() => {
      const out = policy.call(observation);
      return { logits: out.logits.arraySync() as number[][], value: out.value.arraySync() as number[] };
    });
    const logProb = logits.map((row) => {
      const max = Math.max(...row);
      const total = row.reduce((sum, x) => sum + Math.exp(x - max), 0);
      return row.map((x) => x - max - Math.log(total));
    });
    const chosen = actions.map((a, i) => (logProb[i] as number[])[a] as number);
    const oldLogProb = chosen.map((lp, i) => lp + (shift[i] as number));
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    const ratio = chosen.map((lp, i) => Math.exp(lp - (oldLogProb[i] as number)));
    const policyLoss = -mean(
      ratio.map((r, i) => {
        const a = advantage[i] as number;
        return Math.min(r * a, Math.min(Math.max(r, 0.8), 1.2) * a);
      }),
    );
    const valueLoss = 0.5 * mean(value.map((v, i) => (v - (target[i] as number)) ** 2));
    const entropy = mean(logProb.map((row) => -row.reduce((s, lp) => s + Math.exp(lp) * lp, 0)));
    const approxKl = mean(ratio.map((r) => r - 1 - Math.log(r)));
    const clipFraction = mean(ratio.map((r) => (Math.abs(r - 1) > 0.2 ? 1 : 0)));
    expect(clipFraction).toBeGreaterThan(0);
    expect(clipFraction).toBeLessThan(1);
    const batch = {
      observation,
      action: tf.tensor1d(actions, 'int32'),
      oldLogProb: tf.tensor1d(oldLogProb),
      advantage: tf.tensor1d(advantage),
      target: tf.tensor1d(target),
    };
    const terms = tf.tidy(() => {
      const all = ppoLoss(policy, batch, { clip: 0.2, valueCoefficient: 0.7, entropyCoefficient: 0.03 });
      return Object.fromEntries(Object.entries(all).map(([name, t]) => [name, t.dataSync()[0] as number]));
    });
    const close = (actual: number | undefined, wanted: number): void => {
      expect(actual).toBeCloseTo(wanted, 5);
    };
    close(terms['policyLoss'], policyLoss);
    close(terms['valueLoss'], valueLoss);
    close(terms['entropy'], entropy);
    close(terms['approxKl'], approxKl);
    close(terms['clipFraction'], clipFraction);
    close(terms['loss'], policyLoss + 0.7 * valueLoss - 0.03 * entropy);
    tf.dispose(Object.values(batch));
    policy.dispose();
  });
});
