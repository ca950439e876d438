// The corridor workflow's own steps: the channelSteeringVector operator and the policyRollouts method,
// checked against hand computations (mean differences, a steered forward pass written out).
import * as tf from '@tensorflow/tfjs-core';
import { namedModules, resolveModule, TensorDict, Workflow } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';
import type {} from '@tdhook/testing/vitest';
import { afterAll, describe, expect, it } from 'vitest';

import {
  channelSteeringVector,
  corridorClosedLoop,
  corridorPanel,
  policyRollouts,
  type QNetwork,
} from '../src/index.js';
import { rollOutCorridor } from '../src/corridor/closed-loop.js';
import type { Linear } from '../src/modules/linear.js';
import { corridorPolicy } from '../src/pretrained/index.js';

const policy = corridorPolicy();
afterAll(() => {
  policy.dispose();
});

/** Compares `actual` with a tensor `expected` builds, disposing it after. */
function expectClose(
  actual: tf.Tensor,
  expected: () => tf.Tensor,
  tolerance = { rtol: 1e-5, atol: 1e-6 },
): void {
  const value = tf.tidy(expected);
  try {
    expect(actual).toBeCloseToTensor(value, tolerance);
  } finally {
    value.dispose();
  }
}

const hooksOnPolicy = (): number =>
  namedModules(policy).reduce(
    (total, [, node]) => total + Object.values(hookCounts(node)).reduce((a, b) => a + b, 0),
    0,
  );

/** The panel with a steering vector (one row, broadcast to the 72 states) under ['steering', 'vector']. */
function panelWith(vector: readonly number[]): TensorDict {
  const panel = corridorPanel();
  panel.set(
    ['steering', 'vector'],
    tf.tidy(() => tf.broadcastTo(tf.tensor1d([...vector]), [72, vector.length])),
  );
  return panel;
}

/** The policy's action values written out by hand, with `vector` added to features.2's output. */
function steeredValues(network: QNetwork, observation: tf.Tensor, vector: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    const linear = (path: string, x: tf.Tensor): tf.Tensor => {
      const layer = resolveModule(network, path) as Linear;
      return tf.add(tf.matMul(x as tf.Tensor2D, layer.kernel as tf.Tensor2D), layer.bias as tf.Tensor);
    };
    const x = tf.reshape(observation, [-1, 18]);
    const hidden = tf.relu(
      tf.add(linear('features.2', tf.relu(linear('features.0', x))), tf.tensor1d([...vector])),
    );
    return linear('policy_head', hidden);
  });
}

describe('channelSteeringVector', () => {
  const data = (): TensorDict =>
    new TensorDict(
      {
        cache: {
          layer: tf.tensor2d([
            [1, 2, 3],
            [3, 6, 5],
            [0, -2, 1],
            [2, 0, 3],
          ]),
        },
        concept_labels: tf.tensor1d([1, 1, 0, 0], 'int32'),
        metrics: { concept_selection: { channel: tf.tensor1d([1, 1, 1, 1], 'int32') } },
      },
      { batchShape: [4] },
    );

  it('puts coefficient × (mean of the towards states − mean of the others) on the selected channel only', () => {
    using input = data();
    using result = new Workflow([
      channelSteeringVector({ activationsKey: ['cache', 'layer'], coefficient: 2 }),
    ]).run(policy, input).data;
    // label 1 rows: [1, 2, 3], [3, 6, 5] → mean [2, 4, 4]; label 0 rows: [0, -2, 1], [2, 0, 3] → [1, -1, 2]
    expectClose(result.getTensor(['steering', 'towards_mean']), () =>
      tf.tile(tf.tensor2d([[2, 4, 4]]), [4, 1]),
    );
    expectClose(result.getTensor(['steering', 'away_mean']), () =>
      tf.tile(tf.tensor2d([[1, -1, 2]]), [4, 1]),
    );
    expect(result.getTensor(['steering', 'vector']).arraySync()).toEqual(
      Array.from({ length: 4 }, () => [0, 10, 0]),
    );
    expect(Array.from(result.getTensor(['steering', 'channel']).dataSync())).toEqual([1, 1, 1, 1]);
    // Towards label 0: the opposite direction.
    using away = new Workflow([
      channelSteeringVector({ activationsKey: ['cache', 'layer'], towards: 0 }),
    ]).run(policy, input).data;
    expect(away.getTensor(['steering', 'vector']).arraySync()).toEqual(
      Array.from({ length: 4 }, () => [0, -5, 0]),
    );
  });

  it('refuses missing or inconsistent inputs with typed errors', () => {
    using input = data();
    const operator = (options = {}) =>
      channelSteeringVector({ activationsKey: ['cache', 'layer'], ...options });
    expect(() => operator({ activationsKey: ['cache', 'nope'] }).run(input)).toThrowTdhookError(
      'E_MISSING_KEY',
      /No activations at/,
    );
    expect(() => channelSteeringVector({} as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /activationsKey is required/,
    );
    expect(() => operator({ coefficient: Number.NaN })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /coefficient must be a finite number/,
    );
    expect(() => operator({ towards: 2 })).toThrowTdhookError('E_INVALID_VALUE', /towards must be 0 or 1/);
    expect(() => operator({ coeficient: 2 })).toThrowTdhookError('E_INVALID_VALUE', /coeficient/);
    using mixed = input.clone();
    mixed.set(['metrics', 'concept_selection', 'channel'], tf.tensor1d([1, 0, 1, 1], 'int32'));
    expect(() => operator().run(mixed)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /not the same across the batch/,
    );
    mixed.set(['metrics', 'concept_selection', 'channel'], tf.tensor1d([3, 3, 3, 3], 'int32'));
    expect(() => operator().run(mixed)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /channel 3 is not one of the 3 channels/,
    );
    using oneClass = input.clone();
    oneClass.set('concept_labels', tf.tensor1d([1, 1, 1, 1], 'int32'));
    expect(() => operator().run(oneClass)).toThrowTdhookError('E_INVALID_VALUE', /both classes/);
    using threeClasses = input.clone();
    threeClasses.set('concept_labels', tf.tensor1d([1, 2, 0, 0], 'int32'));
    expect(() => operator().run(threeClasses)).toThrowTdhookError('E_INVALID_VALUE', /sample 1 has 2/);
    // In a workflow, a missing input is found by the plan, before anything runs.
    using bare = new TensorDict({ concept_labels: tf.tensor1d([1, 0], 'int32') }, { batchShape: [2] });
    expect(() => new Workflow([operator()]).run(policy, bare)).toThrowTdhookError('E_PLAN');
  });
});

describe('policyRollouts', () => {
  it('rolls out every pair as the policy does without hooks (baseline), and with the vector added (steered)', () => {
    const vector = [0, 0, 0, -1.2, 0, 0, 0, 0];
    using data = panelWith(vector);
    const prepared = policyRollouts({ module: 'features.2' }).prepare(policy);
    expect(hooksOnPolicy()).toBe(1);
    let result: TensorDict;
    try {
      result = prepared.run(data);
    } finally {
      prepared.restore();
    }
    expect(hooksOnPolicy()).toBe(0);
    try {
      // baseline = the network called directly
      const direct = corridorClosedLoop(policy);
      expect(() => corridorClosedLoop(policy, { steps: 12 } as never)).toThrowTdhookError(
        'E_INVALID_VALUE',
        /corridorClosedLoop has no option "steps"/,
      );
      const read = (condition: string, name: string): number[] =>
        Array.from(result.getTensor(['rollouts', condition, name]).dataSync());
      expect(read('baseline', 'path')).toEqual(Array.from(direct.path));
      expect(read('baseline', 'success')).toEqual(Array.from(direct.success));
      expect(read('baseline', 'first_action')).toEqual(
        Array.from(data.getTensor('target_action').dataSync()),
      );
      expect(read('baseline', 'success_rate')).toEqual(Array.from({ length: 72 }, () => 1));
      expect(read('baseline', 'left_fraction')).toEqual(Array.from({ length: 72 }, () => 0.5));
      // steered = the same walk with actions from the steered forward pass written out by hand
      const agents = Int32Array.from(data.getTensor('agent').dataSync());
      const goals = Int32Array.from(data.getTensor('goal').dataSync());
      const expected = rollOutCorridor(agents, goals, 9, 12, (observations, count) =>
        tf.tidy(() =>
          Int32Array.from(
            tf.argMax(steeredValues(policy, tf.tensor3d(observations, [count, 2, 9]), vector), -1).dataSync(),
          ),
        ),
      );
      expect(read('steered', 'path')).toEqual(Array.from(expected.path));
      expect(read('steered', 'steps')).toEqual(Array.from(expected.steps));
      expect(read('steered', 'left_moves')).toEqual(Array.from(expected.leftMoves));
      expect(read('steered', 'success_rate')[0]).toBeCloseTo(expected.successRate, 6);
      expect(read('steered', 'left_fraction')[0]).toBeCloseTo(expected.leftFraction, 6);
      expect(expected.successRate).toBeLessThan(1); // the vector does something
      // The model's outputs on the data's own observations are the steered ones.
      expectClose(result.getTensor('action_value'), () =>
        steeredValues(policy, data.getTensor('observation'), vector),
      );
      expect(result.getTensor(['rollouts', 'steered', 'path']).shape).toEqual([72, 13]);
      expect(result.getTensor(['rollouts', 'steered', 'success']).dtype).toBe('bool');
    } finally {
      result.dispose();
    }
  });

  it('plans one add-vector hook on the module and reads the pairs and the vector', () => {
    const method = policyRollouts({ module: 'features.2', maxSteps: 5 });
    expect(method.options).toMatchObject({
      module: 'features.2',
      length: 9,
      maxSteps: 5,
      steeringKey: ['steering', 'vector'],
    });
    const plan = method.plan({}, policy);
    expect(plan.hooks).toEqual([
      expect.objectContaining({ path: 'features.2', direction: 'forward', operation: 'add-vector' }),
    ]);
    expect(plan.inKeys).toEqual([['observation'], ['agent'], ['goal'], ['steering', 'vector']]);
    expect(plan.outKeys).toContainEqual(['rollouts', 'steered', 'left_fraction']);
    expect(plan.outKeys).toHaveLength(14);
  });

  it('refuses bad options and data with typed errors, every hook removed after a failure', () => {
    expect(() => policyRollouts({} as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /module must be a module path/,
    );
    expect(() => policyRollouts({ module: 'features.2', maxSteps: 0 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /maxSteps must be an integer ≥ 1/,
    );
    expect(() => policyRollouts({ module: 'features.2', coefficient: 2 } as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /coefficient/,
    );
    expect(() => policyRollouts({ module: 'features.9' }).prepare(policy)).toThrowTdhookError(
      'E_UNKNOWN_PATH',
    );
    expect(hooksOnPolicy()).toBe(0);
    const failing = (data: TensorDict, code: string, message: RegExp): void => {
      const prepared = policyRollouts({ module: 'features.2' }).prepare(policy);
      try {
        expect(() => prepared.run(data)).toThrowTdhookError(code, message);
        expect(hooksOnPolicy()).toBe(0); // an error while running restores the model
      } finally {
        prepared.restore();
      }
    };
    // The vector's width is checked in the hook, during the steered rollouts.
    using wide = panelWith([0, 0, 0, 1, 0]);
    failing(wide, 'E_SHAPE_MISMATCH', /has 5 channels; features.2 has 8/);
    using mixed = panelWith([0, 0, 0, 1, 0, 0, 0, 0]);
    mixed.set(
      ['steering', 'vector'],
      tf.tidy(() => tf.concat([tf.zeros([1, 8]), tf.ones([71, 8])])),
    );
    failing(mixed, 'E_INVALID_VALUE', /steering vector is not the same across the batch/);
    using outside = panelWith([0, 0, 0, 1, 0, 0, 0, 0]);
    outside.set('goal', tf.fill([72], 9, 'int32'));
    failing(outside, 'E_INVALID_VALUE', /goal cells must be integers in \[0, 8\]/);
    using missing = panelWith([0, 0, 0, 1, 0, 0, 0, 0]);
    missing.delete('agent');
    failing(missing, 'E_MISSING_KEY', /No agent cells/);
  });
});
