// The rl-rollout scenarios, set up in-process at a small size: the hand-written loop computes what the
// tdhook rollout with the caching + saliency workflow computes (same actions, rewards, activations and
// gradients), and every variant frees every tensor it makes. No timings.
import * as tf from '@tensorflow/tfjs-core';
import type { TensorDict } from '@tdhook/core';
import { rollout } from '@tdhook/adapter-rl';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import type { PreparedVariant } from '../src/scenario.js';
import { cartPoleFixture } from '../src/scenarios/rl-cartpole-fixture.js';
import { plainRollout } from '../src/scenarios/rl-plain-rollout.js';
import { rlRolloutHooks } from '../src/scenarios/rl-rollout-hooks.js';
import { cachingAttributionWorkflow, rlRolloutWorkflow } from '../src/scenarios/rl-rollout-workflow.js';

const tolerance = { rtol: 1e-4, atol: 1e-6 };

/** `[N, T, ...]` → `[T, N, ...]`, as the plain loop stacks. */
function timeMajor(trajectory: TensorDict, key: string | [string, ...string[]]): tf.Tensor {
  const tensor = trajectory.getTensor(key);
  return tf.transpose(tensor, [1, 0, ...tensor.shape.slice(2).map((_, index) => index + 2)]);
}

describe('rl-rollout scenarios', () => {
  it('the plain loop computes what rollout with the caching + saliency workflow computes', async () => {
    const fixture = await cartPoleFixture(2);
    const workflow = await cachingAttributionWorkflow();
    using trajectory = rollout(fixture.envs, fixture.policy, { steps: 30, workflow, seed: 0 });
    const plain = plainRollout({
      envs: fixture.envs,
      actor: fixture.actor,
      critic: fixture.critic,
      steps: 30,
      seed: 0,
      interpret: true,
    });
    const [logits, value, a1, a3, c1, c3, gAction, gValue, observation, action, reward, done] = plain;
    const expected: [string | [string, ...string[]], tf.Tensor | undefined][] = [
      ['logits', logits],
      ['value', value],
      [['cache', 'actor.1'], a1],
      [['cache', 'actor.3'], a3],
      [['cache', 'critic.1'], c1],
      [['cache', 'critic.3'], c3],
      [['attr', 'action', 'observation'], gAction],
      [['attr', 'value', 'observation'], gValue],
      ['observation', observation],
      ['action', action],
      ['reward', reward],
      ['done', done],
    ];
    expect(Array.from((done as tf.Tensor).dataSync()).some(Boolean)).toBe(true); // environments reset on the way
    for (const [key, values] of expected) {
      const got = timeMajor(trajectory, key);
      expect(got).toBeCloseToTensor(values as tf.Tensor, tolerance);
      got.dispose();
    }
    tf.dispose(plain);
    fixture.dispose();
  });

  for (const scenario of [rlRolloutWorkflow, rlRolloutHooks])
    for (const point of scenario.grid.quick)
      for (const [variant, setup] of Object.entries(scenario.variants)) {
        it(`${scenario.id} ${variant}: runs twice and leaves no tensor behind`, async () => {
          const prepared: PreparedVariant = await setup(point);
          try {
            const before = tf.memory().numTensors;
            await prepared.run();
            await prepared.run();
            expect(tf.memory().numTensors).toBe(before);
            expect(prepared.note?.()).toMatch(/20 environment steps/);
          } finally {
            prepared.dispose();
          }
        });
      }
});
