// Fitted Q-iteration on the corridor (the tutorial's protocol) and the committed policy it produced.
import * as tf from '@tensorflow/tfjs-core';
import { resolveModule, TensorDict } from '@tdhook/core';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import {
  Corridor,
  corridorClosedLoop,
  corridorPanel,
  corridorTransitions,
  fitQ,
  QNetwork,
} from '../src/index.js';
import { corridorPairs } from '../src/corridor/encode.js';
import type { Linear } from '../src/modules/linear.js';
import { corridorPolicy, corridorQArchitecture, corridorQTraining } from '../src/pretrained/index.js';
import { corridorQWeights } from '../src/pretrained/corridor-q.js';

/** Greedy accuracy of a network on the panel (the optimal action is `target_action`). */
function greedyAccuracy(network: QNetwork): number {
  using panel = corridorPanel(network.length);
  return tf.tidy(
    () =>
      tf
        .mean(
          tf.cast(
            tf.equal(network.call(panel.getTensor('observation')).action, panel.getTensor('target_action')),
            'float32',
          ),
        )
        .dataSync()[0] ?? NaN,
  );
}

/** The network's weights as plain tensors (kernel, bias per Linear), for the hand-written reference. */
function weightsOf(network: QNetwork): tf.Tensor[] {
  return ['features.0', 'features.2', 'policy_head'].flatMap((path) => {
    const layer = resolveModule(network, path) as Linear;
    return [tf.clone(layer.kernel), tf.clone(layer.bias ?? tf.zeros([layer.outputs]))];
  });
}

/** The `index`-th tensor of a list the test built itself. */
function at(tensors: readonly tf.Tensor[], index: number): tf.Tensor {
  const tensor = tensors[index];
  if (tensor === undefined) throw new Error(`no tensor ${index}`);
  return tensor;
}

/** Q-values computed from weights by hand: flatten, affine, ReLU, affine, ReLU, affine. */
function handQ(weights: readonly tf.Tensor[], observation: tf.Tensor): tf.Tensor {
  const affine = (x: tf.Tensor, layer: number): tf.Tensor =>
    tf.add(tf.matMul(x as tf.Tensor2D, at(weights, 2 * layer) as tf.Tensor2D), at(weights, 2 * layer + 1));
  const x = tf.reshape(observation, [-1, 18]);
  const q = affine(tf.relu(affine(tf.relu(affine(x, 0)), 1)), 2);
  return tf.reshape(q, [...observation.shape.slice(0, -2), 2]);
}

describe('fitQ', () => {
  it('follows a hand-written fitted Q-iteration step by step (smooth L1, Adam, target synced after steps 0, 10, …)', () => {
    const iterations = 12;
    using table = corridorTransitions();
    const observation = table.getTensor('observation');
    const next = table.getTensor(['next', 'observation']);
    const reward = table.getTensor(['next', 'reward']);
    const live = tf.tidy(() => tf.sub(1, tf.cast(table.getTensor(['next', 'terminated']), 'float32')));
    // The reference: its own variables, its own target copies and loss, the same Adam.
    const start = new QNetwork({ seed: 4 });
    const variables = weightsOf(start).map((weight) => {
      const variable = tf.variable(weight);
      weight.dispose();
      return variable;
    });
    let target = variables.map((variable) => tf.clone(variable));
    const optimizer = tf.train.adam(0.02);
    const expected: number[] = [];
    for (let iteration = 0; iteration < iterations; iteration++) {
      const bellman = tf.tidy(() =>
        tf.add(reward, tf.mul(tf.mul(live, 0.95), tf.max(handQ(target, next), -1))),
      );
      const loss = optimizer.minimize(
        () => {
          const error = tf.abs(tf.sub(handQ(variables, observation), bellman));
          // smooth L1 with beta 1: 0.5·e² below 1, e − 0.5 above, i.e. 0.5·min(e, 1)² + e − min(e, 1)
          const small = tf.minimum(error, 1);
          return tf.mean<tf.Scalar>(tf.add(tf.mul(0.5, tf.square(small)), tf.sub(error, small)));
        },
        true,
        variables,
      );
      expected.push(loss?.dataSync()[0] ?? NaN);
      tf.dispose([bellman, ...(loss === null ? [] : [loss])]);
      if (iteration % 10 === 0) {
        tf.dispose(target);
        target = variables.map((variable) => tf.clone(variable));
      }
    }
    const { losses, finalLoss } = fitQ(start, table, { iterations });
    expect(Array.from(losses)).toHaveLength(iterations);
    losses.forEach((loss, index) => {
      expect(loss).toBeCloseTo(expected[index] ?? NaN, 5);
    });
    expect(finalLoss).toBe(losses[iterations - 1]);
    // The trained weights match too.
    const trained = weightsOf(start);
    trained.forEach((weight, index) => {
      expect(weight).toBeCloseToTensor(at(variables, index), { rtol: 1e-4, atol: 1e-5 });
    });
    tf.dispose([...trained, ...variables, ...target, live]);
    optimizer.dispose();
    start.dispose();
  });

  it('reaches 100% greedy accuracy and 100% closed-loop success from all 72 pairs (seed 0, 600 steps)', () => {
    const network = new QNetwork({ seed: 0 });
    try {
      using table = corridorTransitions();
      const { finalLoss, losses } = fitQ(network, table);
      expect(losses).toHaveLength(600);
      expect(finalLoss).toBeLessThan(1e-4);
      expect(finalLoss).toBeGreaterThan(0);
      expect(greedyAccuracy(network)).toBe(1);
      const rollouts = corridorClosedLoop(network);
      expect(rollouts.successRate).toBe(1);
      expect(rollouts.leftFraction).toBe(0.5); // the shortest paths: as many left as right moves
      // Every episode takes the shortest path: |goal − agent| moves.
      expect(rollouts.steps.reduce((total, steps) => total + steps, 0)).toBe(240); // Σ |goal − agent| over the 72 pairs
    } finally {
      network.dispose();
    }
  });

  it('repeats exactly for a seed, reporting every step to onProgress', () => {
    using table = corridorTransitions();
    const seen: { iteration: number; loss: number }[] = [];
    const runs = [0, 1].map((run) => {
      const network = new QNetwork({ seed: 5 });
      const { losses } = fitQ(network, table, {
        iterations: 25,
        ...(run === 0 ? { onProgress: (progress) => seen.push(progress) } : {}),
      });
      network.dispose();
      return Array.from(losses);
    });
    expect(runs[0]).toEqual(runs[1]);
    expect(seen).toEqual(runs[0]?.map((loss, iteration) => ({ iteration, loss })));
  });

  it('refuses bad options and tables with typed errors, training nothing', () => {
    const network = new QNetwork({ seed: 1 });
    try {
      using table = corridorTransitions();
      using short = corridorTransitions(5);
      const before = tf.tidy(() => tf.clone(network.policy_head.kernel));
      expect(() => fitQ(network, table, { iterations: 0 })).toThrowTdhookError(
        'E_INVALID_VALUE',
        /iterations must be an integer/,
      );
      expect(() => fitQ(network, table, { seed: 1 } as never)).toThrowTdhookError(
        'E_INVALID_VALUE',
        /fitQ has no option "seed"/,
      );
      expect(() => fitQ(network, table, { gamma: 1.5 })).toThrowTdhookError(
        'E_INVALID_VALUE',
        /gamma must be a number in \[0, 1\]/,
      );
      expect(() => fitQ(network, short)).toThrowTdhookError(
        'E_SHAPE_MISMATCH',
        /corridorTransitions\(network.length\)/,
      );
      using empty = new TensorDict({}, { batchShape: [72] });
      expect(() => fitQ(network, empty)).toThrowTdhookError('E_MISSING_KEY', /no \["observation"\]/);
      expect(() => fitQ({} as unknown as QNetwork, table)).toThrowTdhookError(
        'E_INVALID_VALUE',
        /fitQ trains a QNetwork/,
      );
      expect(network.policy_head.kernel).toBeCloseToTensor(before, { rtol: 0, atol: 0 });
      before.dispose();
    } finally {
      network.dispose();
    }
  });
});

describe('corridorPolicy (committed weights)', () => {
  it('reaches 100% greedy accuracy and 100% closed-loop success from all 72 pairs', () => {
    const policy = corridorPolicy();
    try {
      expect(greedyAccuracy(policy)).toBe(1);
      const rollouts = corridorClosedLoop(policy);
      expect(rollouts.successRate).toBe(1);
      expect(rollouts.leftFraction).toBe(0.5);
      // The tutorial's example paths: from 6 to the goal at 1, and from 2 to the goal at 7 (pairs 54 and 22).
      const path = (row: number): number[] =>
        Array.from(rollouts.path.subarray(row * 13, row * 13 + (rollouts.steps[row] ?? 0) + 1));
      expect(path(6 * 8 + 1)).toEqual([6, 5, 4, 3, 2, 1]);
      expect(path(2 * 8 + 6)).toEqual([2, 3, 4, 5, 6, 7]);
    } finally {
      policy.dispose();
    }
  });

  it('walks the Corridor environment as the batched closed loop says, pair by pair', () => {
    const policy = corridorPolicy();
    try {
      const rollouts = corridorClosedLoop(policy);
      const env = new Corridor();
      corridorPairs(9).forEach(([agent, goal], row) => {
        let { observation } = env.reset({ options: { agent, goal } });
        const path = [agent];
        for (;;) {
          const action = tf.tidy(
            () => policy.call(tf.tensor3d(observation, [1, 2, 9])).action.dataSync()[0] ?? -1,
          );
          const step = env.step(action);
          path.push(step.info.agent ?? -1);
          observation = step.observation;
          if (step.terminated || step.truncated) break;
        }
        expect(path).toEqual(Array.from(rollouts.path.subarray(row * 13, row * 13 + path.length)));
        expect(rollouts.steps[row]).toBe(path.length - 1);
      });
    } finally {
      policy.dispose();
    }
  });

  it('records how it was trained, and is a new network each call', () => {
    expect(corridorQArchitecture).toEqual({ length: 9, hidden: [16, 8], actions: 2, seed: 0 });
    expect(corridorQTraining).toMatchObject({
      iterations: 600,
      learningRate: 0.02,
      gamma: 0.95,
      targetSync: 10,
      greedyAccuracy: 1,
      closedLoopSuccess: 1,
    });
    // The one weights format of the package (safetensors in base64), its metadata the two records above.
    expect(corridorQWeights.format).toBe('tdhook-policy-weights');
    expect(corridorQWeights.metadata).toEqual({
      architecture: corridorQArchitecture,
      training: corridorQTraining,
    });
    const [a, b] = [corridorPolicy(), corridorPolicy()];
    expect(a).not.toBe(b);
    expect(a.policy_head.kernel).toBeCloseToTensor(b.policy_head.kernel, { rtol: 0, atol: 0 });
    a.dispose();
    b.dispose();
  });
});
