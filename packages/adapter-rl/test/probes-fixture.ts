// Test data for the probes that needs neither training nor the environments: an ActorCritic with a balancing
// rule written into its actor, and CartPole-v1 stepped by hand with the package's pure cartPoleStep.
import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import { seededRandom } from '@tdhook/core/plugin';

import { cartPoleStep, type CartPoleState } from '../src/env/cartpole-physics.js';
import type { Linear } from '../src/modules/linear.js';
import { ActorCritic } from '../src/policies/actor-critic.js';
import type { ProbeRow } from '../src/probes/index.js';

/**
 * Writes a balancing rule into the actor: unit 0 of `actor.0` reads c = θ + 0.5·θ̇ + 0.05·ẋ (gain 10), unit 0
 * of `actor.2` copies it (gain 3) and the logits differ by 4·that unit, so the greedy action pushes right
 * exactly when c > 0 — a controller that keeps the pole up for hundreds of steps. The other units keep their
 * random weights (they still feed `actor.1` … `actor.3`); the critic stays random.
 */
export function balancingPolicy(seed = 0): ActorCritic {
  const policy = new ActorCritic({ observationSize: 4, actions: 2, hidden: [32, 32], seed });
  const [first, second, last] = ['0', '2', '4'].map((name) => {
    const layer = policy.actor.namedChildren().find(([child]) => child === name)?.[1];
    return layer as unknown as Linear;
  }) as [Linear, Linear, Linear];
  const setColumn = (layer: Linear, column: number, values: readonly number[]): void => {
    const kernel = layer.kernel.arraySync() as number[][];
    kernel.forEach((row, i) => (row[column] = values[i] ?? 0));
    const bias = layer.bias?.arraySync() as number[];
    bias[column] = 0;
    const [newKernel, newBias] = [tf.tensor2d(kernel), tf.tensor1d(bias)];
    layer.kernel.assign(newKernel);
    layer.bias?.assign(newBias);
    tf.dispose([newKernel, newBias]);
  };
  const unit = (gain: number, size: number): number[] =>
    Array.from({ length: size }, (_, i) => (i === 0 ? gain : 0));
  setColumn(first, 0, [0.5, 0.5, 10, 5]);
  setColumn(second, 0, unit(3, 32));
  setColumn(last, 0, unit(0, 32));
  setColumn(last, 1, unit(4, 32));
  return policy;
}

/**
 * `steps` observations of CartPole episodes (seeded starts in ±0.05) with the policy's greedy action and 20%
 * seeded random actions, so that states vary and both actions occur: a TensorDict `{ observation }` `[steps]`.
 * A hand-written loop: one policy call per step.
 */
export function cartPoleObservations(policy: ActorCritic, steps: number, seed = 0): TensorDict {
  const random = seededRandom(seed);
  const uniform = (): number => (random() - 0.5) * 0.1;
  const start = (): CartPoleState => [uniform(), uniform(), uniform(), uniform()];
  const rows = new Float32Array(steps * 4);
  let state = start();
  for (let t = 0; t < steps; t++) {
    rows.set(state, t * 4);
    const greedy = tf.tidy(() => policy.call(tf.tensor2d([...state], [1, 4])).action.dataSync()[0] ?? 0);
    const action = random() < 0.2 ? (random() < 0.5 ? 0 : 1) : greedy;
    const next = cartPoleStep(state, action);
    state = next.terminated ? start() : next.state;
  }
  return new TensorDict({ observation: tf.tensor2d(rows, [steps, 4]) }, { batchShape: [steps] });
}

/** The row of `layer` and `target` in a probe table; throws if there is none. */
export function findRow(rows: readonly ProbeRow[], layer: string, target: string): ProbeRow {
  const row = rows.find((candidate) => candidate.layer === layer && candidate.target === target);
  if (row === undefined) throw new Error(`no row ${layer} ${target}`);
  return row;
}
