import * as tf from '@tensorflow/tfjs-core';
import {
  InvalidValueError,
  MissingKeyError,
  readParameters,
  ShapeMismatchError,
  writeParameters,
  type KeyPath,
  type TensorDict,
} from '@tdhook/core';
import { checkOptionNames, parameterVariables } from '@tdhook/core/plugin';

import { QNetwork } from '../policies/q-network.js';

/**
 * Options of {@link fitQ}: the original tutorial's protocol is the default.
 *
 * @example
 * const options: FitQOptions = { iterations: 600, learningRate: 0.02, gamma: 0.95, targetSync: 10 };
 */
export interface FitQOptions {
  /** Full-batch Adam steps. Default 600. */
  readonly iterations?: number;
  /** Adam's learning rate. Default 0.02. */
  readonly learningRate?: number;
  /** The discount. Default 0.95. */
  readonly gamma?: number;
  /** The target network copies the trained one after every step whose index is a multiple of this. Default 10. */
  readonly targetSync?: number;
  /** Called after each step with its index and loss. Default none. */
  readonly onProgress?: (progress: FitQProgress) => void;
}

/**
 * What {@link FitQOptions.onProgress} receives after every step.
 *
 * @example
 * fitQ(network, table, { onProgress: ({ iteration, loss }) => console.log(iteration, loss) });
 */
export interface FitQProgress {
  /** The step's index, from 0. */
  readonly iteration: number;
  /** Its smooth-L1 loss. */
  readonly loss: number;
}

/**
 * What {@link fitQ} returns: the loss of every step (smooth L1 against the Bellman targets of that step).
 *
 * @example
 * const { losses, finalLoss }: FitQResult = fitQ(network, table);
 */
export interface FitQResult {
  readonly losses: Float32Array;
  readonly finalLoss: number;
}

const where = 'fitQ';

function checkNumber(value: number, name: string, integer: boolean, low: number, high = Infinity): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) ||
    value < low ||
    value > high
  ) {
    throw new InvalidValueError({
      what: `${name} must be ${integer ? 'an integer' : 'a number'} in [${low}, ${high}], got ${String(value)}`,
      where,
      fix: `Leave ${name} out for the tutorial's value.`,
    });
  }
  return value;
}

function tableTensor(table: TensorDict, key: KeyPath, rank: number): tf.Tensor {
  if (!table.has(key)) {
    throw new MissingKeyError({
      what: `The transition table has no ${JSON.stringify(key)}`,
      where,
      fix: 'Pass corridorTransitions(length).',
    });
  }
  const tensor = table.getTensor(key);
  if (tensor.rank !== rank) {
    throw new ShapeMismatchError({
      what: `${JSON.stringify(key)} has shape [${tensor.shape.join(', ')}], expected rank ${rank}`,
      where,
      fix: 'Pass corridorTransitions(length) for a network of the same length.',
    });
  }
  return tensor;
}

/**
 * Fitted Q-iteration on a complete transition table (the corridor tutorial's protocol): at every step the
 * Bellman targets `reward + gamma · (1 − terminated) · max_a' Q_target(next, a')` are computed with a frozen
 * target network, the network takes one full-batch Adam step on the smooth-L1 (Huber, δ = 1) loss, and the
 * target network copies it after steps 0, 10, 20, …. Deterministic for a given network (its seed) on a given
 * backend. Trains `network` in place; leaves no tensor behind.
 *
 * @example
 * const network = new QNetwork({ seed: 7 });
 * using table = corridorTransitions();
 * const { finalLoss } = fitQ(network, table); // ~1 s on wasm
 */
export function fitQ(network: QNetwork, table: TensorDict, options: FitQOptions = {}): FitQResult {
  if (!(network instanceof QNetwork)) {
    throw new InvalidValueError({
      what: 'fitQ trains a QNetwork',
      where,
      fix: 'Pass new QNetwork({ seed }).',
    });
  }
  checkOptionNames(options, ['iterations', 'learningRate', 'gamma', 'targetSync', 'onProgress'], {}, where);
  const iterations = checkNumber(options.iterations ?? 600, 'iterations', true, 1);
  const learningRate = checkNumber(options.learningRate ?? 0.02, 'learningRate', false, 0);
  const gamma = checkNumber(options.gamma ?? 0.95, 'gamma', false, 0, 1);
  const targetSync = checkNumber(options.targetSync ?? 10, 'targetSync', true, 1);
  const observation = tableTensor(table, ['observation'], 3);
  const nextObservation = tableTensor(table, ['next', 'observation'], 4);
  const reward = tableTensor(table, ['next', 'reward'], 2);
  const terminated = tableTensor(table, ['next', 'terminated'], 2);
  if (observation.shape[2] !== network.length || nextObservation.shape[1] !== network.actions) {
    throw new ShapeMismatchError({
      what: `The table's observations [${observation.shape.join(', ')}] and next observations [${nextObservation.shape.join(', ')}] do not fit a network of length ${network.length} with ${network.actions} actions`,
      where,
      fix: 'Build the table with corridorTransitions(network.length).',
    });
  }

  const target = new QNetwork({ length: network.length, hidden: network.hidden, actions: network.actions });
  const optimizer = tf.train.adam(learningRate);
  const variables = [...parameterVariables(network).values()];
  const continues = tf.tidy(() => tf.mul(tf.sub(1, tf.cast(terminated, 'float32')), gamma));
  const losses = new Float32Array(iterations);
  const sync = (): void => {
    const snapshot = readParameters(network);
    try {
      writeParameters(target, snapshot);
    } finally {
      snapshot.dispose();
    }
  };
  try {
    sync();
    for (let iteration = 0; iteration < iterations; iteration++) {
      const bellman = tf.tidy(() =>
        tf.add(reward, tf.mul(continues, tf.max(target.actionValues(nextObservation), -1))),
      );
      let loss: tf.Scalar | null;
      try {
        loss = optimizer.minimize(
          () =>
            tf.losses.huberLoss<tf.Tensor, tf.Scalar>(
              bellman,
              network.actionValues(observation),
              undefined,
              1,
            ),
          true,
          variables,
        );
      } finally {
        bellman.dispose();
      }
      losses[iteration] = loss === null ? Number.NaN : (loss.dataSync()[0] ?? Number.NaN);
      loss?.dispose();
      options.onProgress?.({ iteration, loss: losses[iteration] ?? Number.NaN });
      if (iteration % targetSync === 0) sync();
    }
  } finally {
    continues.dispose();
    target.dispose();
    optimizer.dispose();
  }
  return { losses, finalLoss: losses[iterations - 1] ?? Number.NaN };
}
