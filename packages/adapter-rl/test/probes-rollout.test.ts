import * as tf from '@tensorflow/tfjs-core';
import { resolveModule } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';
import { afterAll, describe, expect, it } from 'vitest';

import { CartPole } from '../src/env/cartpole.js';
import { formatProbeTable, probePolicy } from '../src/probes/index.js';
import { rollout } from '../src/rollout/rollout.js';
import { findRow } from './probes-fixture.js';
import { cartPolePolicy } from '../src/pretrained/index.js';
import './vitest-matchers.js';

// The committed PPO policy on two CartPole environments, 200 steps each, actions sampled from its logits
// (seeded): 400 rows of varied states with both actions.
const policy = cartPolePolicy();
const trajectory = rollout([new CartPole(), new CartPole()], policy, {
  steps: 200,
  explore: 'sample',
  seed: 3,
});
afterAll(() => {
  trajectory.dispose();
  policy.dispose();
});

describe('probePolicy over a CartPole rollout', () => {
  it('gives the table of a [2, 200] trajectory: inputs from the baseline, action and value late, controls at chance', () => {
    const rows = probePolicy(policy, trajectory, {
      targets: {
        action: { key: 'action' },
        value: { key: 'value' },
        pole_angle: { key: 'observation', column: 2 },
        cart_velocity: { key: 'observation', column: 1 },
      },
      folds: 3,
      seed: 0,
    });
    // Printed: the table the docs page shows.
    console.log(formatProbeTable(rows));
    expect(rows).toHaveLength(11 * 4);
    expect(rows.filter(({ target }) => target === 'action').map(({ features }) => features)).toEqual([
      4, 32, 32, 32, 32, 2, 32, 32, 32, 32, 1,
    ]);
    // The pole angle and cart velocity ARE inputs: read back from the baseline to ridge's shrinkage.
    expect(findRow(rows, 'observation', 'pole_angle').score).toBeGreaterThan(0.999);
    expect(findRow(rows, 'observation', 'cart_velocity').score).toBeGreaterThan(0.999);
    // The action: a threshold on the logits, linear in actor.3; CartPole's policy is nearly linear in the
    // observation too (measured 0.995 there, 0.997 from actor.3).
    expect(findRow(rows, 'actor.3', 'action').score).toBeGreaterThan(0.99);
    expect(findRow(rows, 'actor.4', 'action').score).toBeGreaterThan(0.99);
    expect(findRow(rows, 'observation', 'action').score).toBeGreaterThan(0.97);
    // The value is not linear in the observation (measured 0.905): the critic builds it, exact by critic.3.
    expect(findRow(rows, 'observation', 'value').score).toBeLessThan(0.95);
    expect(findRow(rows, 'critic.3', 'value').score).toBeGreaterThan(0.99);
    expect(findRow(rows, 'critic.4', 'value').score).toBeGreaterThan(0.999);
    // The logits (two numbers) keep little of the pole angle.
    expect(findRow(rows, 'actor.4', 'pole_angle').score).toBeLessThan(0.1);
    // The target is the policy's greedy action, not the sampled one the trajectory holds.
    const greedy = tf.tidy(() =>
      Array.from(policy.call(tf.reshape(trajectory.getTensor('observation'), [-1, 4])).action.dataSync()),
    );
    const right = greedy.reduce((sum, action) => sum + action, 0) / greedy.length;
    const majority = Math.max(right, 1 - right);
    for (const row of rows) {
      if (row.metric === 'accuracy') expect(Math.abs(row.control - majority), row.layer).toBeLessThan(0.1);
      else {
        expect(row.control, `${row.layer} ${row.target}`).toBeGreaterThan(-0.1);
        expect(row.control, `${row.layer} ${row.target}`).toBeLessThan(0.05);
      }
    }
    expect(hookCounts(resolveModule(policy, 'critic.2')).forward).toBe(0);
  });
});
