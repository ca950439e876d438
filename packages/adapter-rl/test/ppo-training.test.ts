// PPO end to end: the committed CartPole policy reaches the required return, and a short seeded training run
// improves a fresh policy and repeats bit for bit. (The long run lives in scripts/train-cartpole-ppo.ts.)
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { readParameters } from '@tdhook/core';

import {
  ActorCritic,
  CartPole,
  evaluatePolicy,
  trainPpo,
  type PpoProgress,
  type TrainPpoOptions,
} from '../src/index.js';
import { cartPolePolicy, cartPolePpoTraining } from '../src/pretrained/index.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

const makeEnv = (): CartPole => new CartPole();

describe('the committed CartPole policy', () => {
  it('averages ≥ 475 over 100 seeded greedy episodes (all run as one batched rollout)', () => {
    const policy = cartPolePolicy();
    const { meanReturn, returns } = evaluatePolicy(makeEnv, policy, { episodes: 100, seed: 0 });
    expect(returns).toHaveLength(100);
    expect(meanReturn).toBeGreaterThanOrEqual(475);
    // What the training script measured on its backend, to within one failed episode on another backend.
    expect(meanReturn).toBeGreaterThanOrEqual(cartPolePpoTraining.evaluation.meanReturn - 5);
    policy.dispose();
  });
});

/** Seeded updates of a fresh [16, 16] policy: `overrides` shrink them where only determinism matters. */
function shortRun(
  seed: number,
  overrides: Partial<TrainPpoOptions> = {},
): { policy: ActorCritic; history: readonly PpoProgress[] } {
  const policy = new ActorCritic({ observationSize: 4, actions: 2, hidden: [16, 16], seed });
  const options: TrainPpoOptions = {
    makeEnv,
    policy,
    seed,
    updates: 5,
    envs: 4,
    steps: 128,
    epochs: 4,
    minibatchSize: 128,
    learningRate: 3e-3,
    ...overrides,
  };
  const { history } = trainPpo(options);
  return { policy, history };
}

function weights(policy: ActorCritic): number[][] {
  using parameters = readParameters(policy);
  return parameters.keys().map((key) => Array.from(parameters.getTensor(key).dataSync()));
}

describe('trainPpo', () => {
  it('improves a fresh policy in a few seeded updates', () => {
    // Greedy returns over 20 seeded episodes, measured here (wasm and cpu alike): 9.2 before, 215.1 after.
    const fresh = new ActorCritic({ observationSize: 4, actions: 2, hidden: [16, 16], seed: 3 });
    const before = evaluatePolicy(makeEnv, fresh, { episodes: 20, seed: 500 }).meanReturn;
    fresh.dispose();
    const trained = shortRun(3);
    const after = evaluatePolicy(makeEnv, trained.policy, { episodes: 20, seed: 500 }).meanReturn;
    expect(trained.history).toHaveLength(5);
    expect(trained.history.at(-1)?.envSteps).toBe(5 * 4 * 128);
    expect(before).toBeLessThan(20);
    expect(after).toBeGreaterThan(100);
    // The sampled training episodes get longer too.
    expect(trained.history.at(-1)?.meanReturn).toBeGreaterThan(1.5 * (trained.history[0]?.meanReturn ?? 0));
    trained.policy.dispose();
  });

  it('repeats exactly for a seed: rollouts, minibatch shuffles and updates', () => {
    // Small (2 updates of 2 envs × 32 steps, two minibatches an epoch): determinism does not need a long run.
    const small: Partial<TrainPpoOptions> = { updates: 2, envs: 2, steps: 32, epochs: 2, minibatchSize: 32 };
    const first = shortRun(3, small);
    const second = shortRun(3, small);
    const other = shortRun(4, small);
    expect(weights(second.policy)).toEqual(weights(first.policy));
    expect(second.history.map(({ seconds: _, ...rest }) => rest)).toEqual(
      first.history.map(({ seconds: _, ...rest }) => rest),
    );
    expect(weights(other.policy)).not.toEqual(weights(first.policy));
    for (const run of [first, second, other]) run.policy.dispose();
  });

  it('reports every update and stops after the one `until` accepts', () => {
    const policy = new ActorCritic({ observationSize: 4, actions: 2, hidden: [4], seed: 1 });
    const seen: number[] = [];
    const result = trainPpo({
      makeEnv,
      policy,
      updates: 10,
      envs: 2,
      steps: 16,
      epochs: 1,
      minibatchSize: 16,
      onProgress: (progress) => seen.push(progress.update),
      until: (progress) => progress.update === 2,
    });
    expect(seen).toEqual([1, 2]);
    expect(result.updates).toBe(2);
    expect(result.envSteps).toBe(2 * 2 * 16);
    // Annealed over the 10 updates asked for: 1e-3, then 0.9e-3.
    expect(result.history.map((progress) => progress.learningRate)).toEqual([1e-3, 1e-3 * 0.9]);
    policy.dispose();
  });

  it('leaves no tensors behind when an environment throws part way, and rethrows its error', () => {
    const policy = new ActorCritic({ observationSize: 4, actions: 2, hidden: [4], seed: 1 });
    const tensors = tf.memory().numTensors;
    let steps = 0;
    const failing = (): CartPole => {
      const env = new CartPole();
      const step = env.step.bind(env);
      env.step = (action) => {
        steps += 1;
        if (steps === 40) throw new Error('the simulator broke');
        return step(action);
      };
      return env;
    };
    // The first update (2 envs × 16 steps) completes; the second fails in its rollout.
    expect(() =>
      trainPpo({ makeEnv: failing, policy, updates: 3, envs: 2, steps: 16, epochs: 1, minibatchSize: 16 }),
    ).toThrow('the simulator broke');
    expect(tf.memory().numTensors).toBe(tensors);
    policy.dispose();
  });

  it('rejects bad options with typed errors before anything runs', () => {
    const policy = new ActorCritic({ observationSize: 4, actions: 2, hidden: [4], seed: 1 });
    const tensors = tf.memory().numTensors;
    expect(() => trainPpo({ makeEnv, policy, updates: 0 })).toThrowTdhookError('E_INVALID_VALUE');
    expect(() => trainPpo({ makeEnv, policy, gamma: 1.5 })).toThrowTdhookError('E_INVALID_VALUE');
    expect(() => trainPpo({ makeEnv, policy, batchSize: 64 } as TrainPpoOptions)).toThrowTdhookError(
      'E_INVALID_VALUE',
    );
    expect(() => trainPpo({ policy } as TrainPpoOptions)).toThrowTdhookError('E_INVALID_VALUE');
    expect(() => evaluatePolicy(makeEnv, policy, { episodes: 0 })).toThrowTdhookError('E_INVALID_VALUE');
    expect(() => evaluatePolicy(makeEnv, policy, { greedy: true } as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /evaluatePolicy has no option "greedy"/,
    );
    expect(tf.memory().numTensors).toBe(tensors);
    policy.dispose();
  });
});
