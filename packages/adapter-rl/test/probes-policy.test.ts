import * as tf from '@tensorflow/tfjs-core';
import { Lambda, resolveModule, Sequential, TensorDict } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';
import { crossValidate, r2Score, ridgeRegression } from '@tdhook/probing';
import { afterAll, describe, expect, it } from 'vitest';

import {
  formatProbeTable,
  probePolicy,
  standardized,
  type ProbeRow,
  type ProbeTarget,
} from '../src/probes/index.js';
import { Linear } from '../src/modules/linear.js';
import { shuffledLabels } from '../src/probes/shuffled-labels.js';
import { balancingPolicy, cartPoleObservations, findRow } from './probes-fixture.js';
import './vitest-matchers.js';

const targets: Record<string, ProbeTarget> = {
  action: { key: 'action' },
  value: { key: 'value' },
  pole_angle: { key: 'observation', column: 2 },
  cart_velocity: { key: 'observation', column: 1 },
};

// 400 steps of a balancing ActorCritic on CartPole (20% random actions), 3 folds: a full table in ~1 s.
const policy = balancingPolicy(0);
const data = cartPoleObservations(policy, 400, 1);
afterAll(() => {
  data.dispose();
  policy.dispose();
});

describe('probePolicy: action and state probes layer by layer', () => {
  it('reads inputs from the baseline, the action from the actor, the value from the critic; controls sit at chance', () => {
    const rows = probePolicy(policy, data, { targets, folds: 3, seed: 0 });
    const layers = [
      'observation',
      ...[0, 1, 2, 3, 4].map((i) => `actor.${i}`),
      ...[0, 1, 2, 3, 4].map((i) => `critic.${i}`),
    ];
    expect(rows.map(({ layer, target }) => `${layer}/${target}`)).toEqual(
      layers.flatMap((layer) => Object.keys(targets).map((target) => `${layer}/${target}`)),
    );
    expect(findRow(rows, 'observation', 'pole_angle')).toMatchObject({ metric: 'r2', features: 4 });
    expect(findRow(rows, 'actor.3', 'action')).toMatchObject({ metric: 'accuracy', features: 32 });
    expect(findRow(rows, 'critic.4', 'value').features).toBe(1);
    // The pole angle and cart velocity ARE inputs: ridge (α = 1) on z-scored features shrinks them by ~α/n.
    expect(findRow(rows, 'observation', 'pole_angle').score).toBeGreaterThan(0.999);
    expect(findRow(rows, 'observation', 'cart_velocity').score).toBeGreaterThan(0.999);
    // actor.0 is affine in the observation: the same linear information, the same R² up to ridge's shrinkage.
    expect(findRow(rows, 'actor.0', 'pole_angle').score).toBeGreaterThan(
      findRow(rows, 'observation', 'pole_angle').score - 1e-3,
    );
    // The greedy action is a linear threshold of the logits (actor.4) and of actor.3 before them.
    expect(findRow(rows, 'actor.4', 'action').score).toBeGreaterThan(0.98);
    expect(findRow(rows, 'actor.3', 'action').score).toBeGreaterThan(0.97);
    // The value is critic.4's single output, read back to ridge's shrinkage.
    expect(findRow(rows, 'critic.4', 'value').score).toBeGreaterThan(0.999);
    // Two logits keep little of the state: the pole angle is not linearly readable from actor.4.
    expect(findRow(rows, 'actor.4', 'pole_angle').score).toBeLessThan(0.1);
    // Controls: accuracy within 0.15 of the larger class's share, R² within [−0.15, 0.05] of 0.
    const actions = tf.tidy(() => Array.from(policy.call(data.getTensor('observation')).action.dataSync()));
    const rightShare = actions.reduce((sum, a) => sum + a, 0) / actions.length;
    const majority = Math.max(rightShare, 1 - rightShare);
    for (const row of rows) {
      if (row.metric === 'accuracy') {
        expect(Math.abs(row.control - majority), `${row.layer} ${row.target}`).toBeLessThan(0.15);
      } else {
        expect(row.control, `${row.layer} ${row.target}`).toBeGreaterThan(-0.15);
        expect(row.control, `${row.layer} ${row.target}`).toBeLessThan(0.05);
      }
    }
    expect(hookCounts(resolveModule(policy, 'actor.3')).forward).toBe(0);
  });
});

describe('probePolicy: seeds, trajectories and options', () => {
  const small = {
    targets: { pole_angle: targets['pole_angle'] as ProbeTarget },
    layers: ['actor.3'],
    folds: 3,
  };

  it('repeats exactly with a seed; another seed changes the folds and the control', () => {
    const first = probePolicy(policy, data, { ...small, seed: 4 });
    expect(probePolicy(policy, data, { ...small, seed: 4 })).toEqual(first);
    const other = probePolicy(policy, data, { ...small, seed: 5 });
    expect(other[1]?.control).not.toBe(first[1]?.control);
    expect(other[1]?.score).toBeCloseTo(first[1]?.score ?? 0, 2);
  });

  it('takes [N, T] trajectories and leaves out rows whose mask is false', () => {
    const mask = tf.tensor1d(
      Array.from({ length: 400 }, (_, i) => i % 200 < 150),
      'bool',
    );
    const kept = tf.tensor1d(
      Array.from({ length: 400 }, (_, i) => i).filter((i) => i % 200 < 150),
      'int32',
    );
    const trajectory = new TensorDict(
      {
        observation: tf.reshape(data.getTensor('observation'), [2, 200, 4]),
        mask: tf.reshape(mask, [2, 200]),
      },
      { batchShape: [2, 200] },
    );
    const flat = new TensorDict(
      { observation: tf.gather(data.getTensor('observation'), kept) },
      { batchShape: [300] },
    );
    expect(probePolicy(policy, trajectory, { ...small, seed: 1 })).toEqual(
      probePolicy(policy, flat, { ...small, seed: 1 }),
    );
    tf.dispose([mask, kept]);
    trajectory.dispose();
    flat.dispose();
  });

  it('scores the baseline with the given probe: plain ridge on unscaled inputs, as probing computes it', () => {
    const rows = probePolicy(policy, data, {
      targets: { value: { key: 'value' } },
      layers: [],
      folds: 3,
      seed: 2,
      standardize: false,
      regressor: () => ridgeRegression({ alpha: 0.5 }),
    });
    const value = tf.tidy(() => policy.call(data.getTensor('observation')).value);
    const expected = crossValidate(
      () => ridgeRegression({ alpha: 0.5 }),
      data.getTensor('observation'),
      value,
      {
        folds: 3,
        shuffle: true,
        seed: 2,
        metrics: { r2: r2Score },
      },
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.score).toBeCloseTo(expected.mean['r2'] ?? 0, 10);
    value.dispose();
  });

  it('probes a plain model with keys, a RegExp of layers, a baseline under another key, or none', () => {
    const input = new TensorDict({ state: tf.clone(data.getTensor('observation')) }, { batchShape: [400] });
    const keys = { inKeys: ['state'], outKeys: ['logits'] };
    const plain = policy.actor;
    const rows = probePolicy(plain, input, {
      targets: { angle: { key: 'state', column: 2 } },
      layers: /^[34]$/,
      keys,
      baseline: 'state',
      folds: 3,
    });
    expect(rows.map(({ layer }) => layer)).toEqual(['state', '3', '4']);
    expect(rows[0]?.score).toBeGreaterThan(0.999);
    const none = probePolicy(plain, input, {
      targets: { angle: { key: 'state', column: 2 } },
      layers: ['4'],
      keys,
      baseline: null,
      folds: 3,
    });
    expect(none.map(({ layer }) => layer)).toEqual(['4']);
    input.dispose();
  });
  it('flattens higher-rank observations and activations into features', () => {
    const model = new Sequential([
      new Lambda('flatten', (x: tf.Tensor) => tf.reshape(x, [-1, 4])),
      new Linear(4, 3, { seed: 2 }),
    ]);
    const observation = data.getTensor('observation');
    const grid = new TensorDict(
      {
        observation: tf.reshape(observation, [400, 2, 2]),
        angle: tf.tidy(() => tf.squeeze(tf.slice(observation, [0, 2], [-1, 1]), [1])),
      },
      { batchShape: [400] },
    );
    const rows = probePolicy(model, grid, {
      targets: { angle: { key: 'angle' } },
      keys: { inKeys: ['observation'], outKeys: ['output'] },
      folds: 3,
    });
    expect(rows.map(({ layer, features }) => [layer, features])).toEqual([
      ['observation', 4],
      ['0', 4],
      ['1', 3],
    ]);
    expect(rows[0]?.score).toBeGreaterThan(0.999);
    grid.dispose();
    model.dispose();
  });
});

describe('probePolicy: clear errors, nothing changed', () => {
  const check = (options: Parameters<typeof probePolicy>[2], code: string, pattern: RegExp): void => {
    expect(() => probePolicy(policy, data, options)).toThrowTdhookError(code, pattern);
    expect(hookCounts(resolveModule(policy, 'actor.0')).forward).toBe(0);
  };

  it('names a missing target key and the keys there are', () => {
    check(
      { targets: { speed: { key: 'speed' } }, layers: ['actor.0'] },
      'E_MISSING_KEY',
      /"speed".*Use one of: "observation", "logits", "action", "value"\.$/s,
    );
  });

  it('asks for a column exactly when the target has columns, and whole numbers for a classification', () => {
    check(
      { targets: { obs: { key: 'observation' } }, layers: ['actor.0'] },
      'E_INVALID_VALUE',
      /needs a column.*from 0 to 3/s,
    );
    check(
      { targets: { obs: { key: 'observation', column: 4 } }, layers: ['actor.0'] },
      'E_INVALID_VALUE',
      /got 4/,
    );
    check(
      { targets: { v: { key: 'value', column: 0 } }, layers: ['actor.0'] },
      'E_INVALID_VALUE',
      /has no columns/,
    );
    check(
      { targets: { v: { key: 'value', kind: 'classification' } }, layers: ['actor.0'] },
      'E_INVALID_VALUE',
      /not whole numbers/,
    );
  });

  it('rejects bad options before running the policy', () => {
    check({ targets: {} }, 'E_INVALID_VALUE', /No targets/);
    check({ targets, folds: 1 }, 'E_INVALID_VALUE', /folds must be an integer ≥ 2/);
    check({ targets, folds: 401 }, 'E_INVALID_VALUE', /401 folds need at least 401 rows/);
    check({ targets, layers: /^policy/ }, 'E_INVALID_VALUE', /No module path matches.*actor\.0/s);
    check({ targets, baseline: 'state' }, 'E_MISSING_KEY', /no "state" to probe as the baseline/);
    check({ targets, fold: 3 } as never, 'E_INVALID_VALUE', /no option "fold"/);
    const step = data.index(0);
    expect(() => probePolicy(policy, step, { targets })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /batch shape \[\]/,
    );
    step.dispose();
  });
});

describe('formatProbeTable, standardized, shuffledLabels', () => {
  it('renders one line per layer, one column per target, score (control)', () => {
    const rows: ProbeRow[] = [
      {
        layer: 'observation',
        target: 'action',
        metric: 'accuracy',
        score: 0.95,
        control: 0.5123,
        features: 4,
      },
      { layer: 'observation', target: 'pole_angle', metric: 'r2', score: 1, control: -0.0123, features: 4 },
      { layer: 'actor.3', target: 'action', metric: 'accuracy', score: 0.98765, control: 0.49, features: 64 },
      { layer: 'actor.3', target: 'pole_angle', metric: 'r2', score: 0.5, control: 0.01, features: 64 },
    ];
    expect(formatProbeTable(rows, { digits: 2 })).toBe(
      [
        '| layer       | action accuracy | pole_angle R² |',
        '| ----------- | --------------- | ------------- |',
        '| observation | 0.95 (0.51)     | 1.00 (-0.01)  |',
        '| actor.3     | 0.99 (0.49)     | 0.50 (0.01)   |',
      ].join('\n'),
    );
  });

  it('z-scores with the training rows: ridge on standardized features equals ridge on features scaled by hand', () => {
    const x = tf.tensor2d([
      [1, 100, 5],
      [2, 300, 5],
      [3, 200, 5],
      [4, 500, 5],
      [5, 400, 5],
    ]);
    const y = tf.tensor1d([1, 3, 2, 5, 4.5]);
    const scaled = standardized(ridgeRegression());
    scaled.fit(x, y);
    const predicted = scaled.predict(x);
    const byHand = ridgeRegression();
    // mean [3, 300, 5], population deviations [√2, √20000, 1 (constant: kept)]
    const z = tf.tidy(() => tf.div(tf.sub(x, [3, 300, 5]), [Math.SQRT2, Math.sqrt(20000), 1]));
    byHand.fit(z, y);
    const expected = byHand.predict(z);
    expect(predicted).toBeCloseToTensor(expected, { rtol: 1e-5, atol: 1e-6 });
    scaled.dispose();
    tf.dispose([x, y, predicted, z, expected]);
  });

  it('shuffles labels into a seeded permutation of themselves', () => {
    const labels = tf.tensor1d(
      Array.from({ length: 50 }, (_, i) => i % 3),
      'int32',
    );
    const [a, b, c] = [shuffledLabels(labels, 1), shuffledLabels(labels, 1), shuffledLabels(labels, 2)];
    const sorted = (t: tf.Tensor): number[] => Array.from(t.dataSync()).sort((p, q) => p - q);
    expect(sorted(a)).toEqual(sorted(labels));
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(labels.dataSync()));
    tf.dispose([labels, a, b, c]);
  });
});
