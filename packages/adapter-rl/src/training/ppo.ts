import * as tf from '@tensorflow/tfjs-core';
import type { TensorDict } from '@tdhook/core';
import { parameterVariables, seededRandom } from '@tdhook/core/plugin';

import { episodeStats } from '../rollout/episode-stats.js';
import { rollout } from '../rollout/rollout.js';
import { Adam } from './adam.js';
import { generalizedAdvantages } from './ppo-advantages.js';
import { ppoLoss } from './ppo-loss.js';
import {
  checkPpoOptions,
  type CheckedPpoOptions,
  type PpoProgress,
  type TrainPpoOptions,
} from './ppo-options.js';

/**
 * What {@link trainPpo} did: the updates run, the environment steps collected, the time it took and the
 * progress of every update.
 *
 * @example
 * const { updates, envSteps, seconds, history }: PpoResult = trainPpo(options);
 */
export interface PpoResult {
  readonly updates: number;
  readonly envSteps: number;
  readonly seconds: number;
  readonly history: readonly PpoProgress[];
}

/** One update's samples, flat over environments and steps (`[envs × steps]`, environment-major). */
interface Samples {
  readonly count: number;
  readonly observationSize: number;
  readonly observation: Float32Array;
  readonly action: Int32Array;
  readonly logProb: Float32Array;
  readonly advantage: Float32Array;
  readonly target: Float32Array;
  readonly episodeReturns: readonly number[];
}

type Values = Float32Array | Int32Array | Uint8Array;

const read = (trajectory: TensorDict, key: string | readonly string[]): Values =>
  trajectory.getTensor(key as never).dataSync<'float32' | 'int32' | 'bool'>();

function collect(envs: Parameters<typeof rollout>[0], options: CheckedPpoOptions, update: number): Samples {
  const { policy, steps, gamma, lambda } = options;
  const envCount = options.envs;
  // Each update starts new episodes from its own seeds (env i of update u: seed + u·envs + i).
  using trajectory = rollout(envs, policy, {
    steps,
    explore: 'sample',
    seed: options.seed + update * envCount,
  });
  const observation = read(trajectory, 'observation') as Float32Array;
  const next = trajectory.getTensor(['next', 'observation']);
  const count = envCount * steps;
  const observationSize = observation.length / count;
  const nextValues = tf.tidy(() => policy.call(tf.reshape(next, [count, observationSize])).value.dataSync());
  const values = read(trajectory, 'value');
  const { advantages, returns } = generalizedAdvantages(
    {
      envs: envCount,
      steps,
      rewards: read(trajectory, 'reward'),
      values,
      nextValues,
      terminated: read(trajectory, 'terminated'),
      done: read(trajectory, 'done'),
    },
    { gamma, lambda },
  );
  return {
    count,
    observationSize,
    observation,
    action: Int32Array.from(read(trajectory, 'action')),
    logProb: read(trajectory, 'log_prob') as Float32Array,
    advantage: advantages,
    target: returns,
    episodeReturns: episodeStats(trajectory).returns,
  };
}

function shuffled(count: number, random: () => number): Int32Array {
  const order = Int32Array.from({ length: count }, (_, index) => index);
  for (let index = count - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    const swap = order[index] as number;
    order[index] = order[other] as number;
    order[other] = swap;
  }
  return order;
}

/** Advantages normalised over the minibatch (in float64), as PPO implementations do. */
function normalised(values: Float64Array): Float32Array {
  let mean = 0;
  for (const value of values) mean += value;
  mean /= values.length;
  let variance = 0;
  for (const value of values) variance += (value - mean) ** 2;
  const std = values.length > 1 ? Math.sqrt(variance / (values.length - 1)) : 0;
  return Float32Array.from(values, (value) => (value - mean) / (std + 1e-8));
}

interface Totals {
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  approxKl: number;
  clipFraction: number;
  batches: number;
}

function optimise(
  samples: Samples,
  options: CheckedPpoOptions,
  adam: Adam,
  variables: readonly tf.Variable[],
  random: () => number,
  learningRate: number,
): Totals {
  const { policy, epochs, minibatchSize, maxGradNorm } = options;
  const { count, observationSize } = samples;
  const totals: Totals = {
    policyLoss: 0,
    valueLoss: 0,
    entropy: 0,
    approxKl: 0,
    clipFraction: 0,
    batches: 0,
  };
  for (let epoch = 0; epoch < epochs; epoch += 1) {
    const order = shuffled(count, random);
    for (let start = 0; start < count; start += minibatchSize) {
      const indices = order.subarray(start, Math.min(count, start + minibatchSize));
      const size = indices.length;
      const observation = new Float32Array(size * observationSize);
      const pick = (from: Float32Array): Float32Array =>
        Float32Array.from(indices, (index) => from[index] as number);
      indices.forEach((index, row) => {
        observation.set(
          samples.observation.subarray(index * observationSize, (index + 1) * observationSize),
          row * observationSize,
        );
      });
      const advantage = normalised(Float64Array.from(indices, (index) => samples.advantage[index] as number));
      tf.tidy(() => {
        const batch = {
          observation: tf.tensor2d(observation, [size, observationSize]),
          action: tf.tensor1d(
            Int32Array.from(indices, (index) => samples.action[index] as number),
            'int32',
          ),
          oldLogProb: tf.tensor1d(pick(samples.logProb)),
          advantage: tf.tensor1d(advantage),
          target: tf.tensor1d(pick(samples.target)),
        };
        const { grads } = tf.variableGrads(() => {
          const terms = ppoLoss(policy, batch, options);
          totals.policyLoss += terms.policyLoss.dataSync()[0] as number;
          totals.valueLoss += terms.valueLoss.dataSync()[0] as number;
          totals.entropy += terms.entropy.dataSync()[0] as number;
          totals.approxKl += terms.approxKl.dataSync()[0] as number;
          totals.clipFraction += terms.clipFraction.dataSync()[0] as number;
          return terms.loss;
        }, [...variables]);
        const gradients = variables.map((variable) => grads[variable.name] as tf.Tensor);
        // Global-norm clipping: one scale for every gradient, so their directions stay as they are.
        const norm = Math.sqrt(
          gradients.reduce((sum, g) => sum + (tf.sum(tf.square(g)).dataSync()[0] as number), 0),
        );
        const scale = norm > maxGradNorm ? maxGradNorm / (norm + 1e-6) : 1;
        adam.step(scale === 1 ? gradients : gradients.map((g) => tf.mul(g, scale)), learningRate);
      });
      totals.batches += 1;
    }
  }
  return totals;
}

/**
 * Trains an {@link ActorCritic} in place with PPO (Schulman et al. 2017) on discrete-action environments:
 * each update collects `steps` per environment from `envs` environments with {@link rollout} (actions
 * sampled from the policy, seeded), computes GAE(λ) advantages ({@link generalizedAdvantages}; truncated
 * episodes bootstrap from the value of their last observation), then runs `epochs` passes of shuffled
 * minibatches of the clipped surrogate, value loss and entropy bonus ({@link ppoLoss}) with per-minibatch
 * advantage normalisation, global-norm gradient clipping and Adam, its learning rate lowered linearly to 0.
 * Seeded: the same options on the same backend give the same weights, bit for bit. Leaves no tensors behind.
 *
 * @example
 * const policy = new ActorCritic({ observationSize: 4, actions: 2, seed: 1 });
 * const result = trainPpo({ makeEnv: () => new CartPole(), policy, updates: 30, seed: 1 });
 * result.history.at(-1)?.meanReturn;
 */
export function trainPpo(options: TrainPpoOptions): PpoResult {
  const checked = checkPpoOptions(options);
  const started = performance.now();
  const envs = Array.from({ length: checked.envs }, (_, index) => checked.makeEnv(index));
  const variables = [...parameterVariables(checked.policy).values()].filter((variable) => variable.trainable);
  const adam = new Adam(variables);
  const random = seededRandom(checked.seed ^ 0x5eed);
  const history: PpoProgress[] = [];
  try {
    for (let update = 0; update < checked.updates; update += 1) {
      const learningRate = checked.annealLearningRate
        ? checked.learningRate * (1 - update / checked.updates)
        : checked.learningRate;
      const samples = collect(envs, checked, update);
      const totals = optimise(samples, checked, adam, variables, random, learningRate);
      const returns = samples.episodeReturns;
      const progress: PpoProgress = {
        update: update + 1,
        envSteps: (update + 1) * samples.count,
        episodes: returns.length,
        meanReturn:
          returns.length === 0 ? Number.NaN : returns.reduce((sum, r) => sum + r, 0) / returns.length,
        policyLoss: totals.policyLoss / totals.batches,
        valueLoss: totals.valueLoss / totals.batches,
        entropy: totals.entropy / totals.batches,
        approxKl: totals.approxKl / totals.batches,
        clipFraction: totals.clipFraction / totals.batches,
        learningRate,
        seconds: (performance.now() - started) / 1000,
      };
      history.push(progress);
      checked.onProgress?.(progress);
      if (checked.until?.(progress) === true) break;
    }
  } finally {
    adam.dispose();
  }
  const last = history.at(-1);
  return {
    updates: history.length,
    envSteps: last?.envSteps ?? 0,
    seconds: (performance.now() - started) / 1000,
    history,
  };
}
