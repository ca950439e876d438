// Environment steps per second of @tdhook/adapter-rl's rollout with and without hooks on the policy, and of
// the same loop by hand: what running through tdhook (TensorDicts, keys, a workflow at every step) costs a
// CartPole rollout. @tdhook/adapter-rl and @tdhook/probing are imported when a variant is set up.
import { performance } from 'node:perf_hooks';

import { Workflow } from '@tdhook/core';

import { defineScenario, type PreparedVariant, type Scenario } from '../scenario.js';
import { cartPoleFixture } from './rl-cartpole-fixture.js';
import { noopHooks } from './rl-noop-hooks.js';
import { plainRollout } from './rl-plain-rollout.js';

/**
 * A grid point of {@link rlRolloutHooks}: environments stepped together and steps per environment.
 *
 * @example
 * const point: RlRolloutHooksParams = { envs: 8, steps: 200 };
 */
export type RlRolloutHooksParams = {
  readonly envs: number;
  readonly steps: number;
};

/** Times each call and reports the median rate of environment steps. */
function timed(envSteps: number, call: () => void): Pick<PreparedVariant, 'run' | 'note'> {
  const times: number[] = [];
  return {
    run: () => {
      const started = performance.now();
      call();
      times.push(performance.now() - started);
      return undefined;
    },
    note: () => {
      const sorted = [...times].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
      return `${String(envSteps)} environment steps a call; median ${((envSteps / median) * 1000).toFixed(0)} environment steps/s`;
    },
  };
}

// Every module of the policy: the two MLPs' 10 layers and activations.
const everyModule = [0, 1, 2, 3, 4].flatMap((index) => [`actor.${String(index)}`, `critic.${String(index)}`]);

async function setupRollout(
  params: RlRolloutHooksParams,
  hooks: 'none' | 'noop' | 'caching',
): Promise<PreparedVariant> {
  const fixture = await cartPoleFixture(params.envs);
  let workflow: Workflow | undefined;
  if (hooks === 'noop') workflow = new Workflow([noopHooks({ paths: everyModule })]);
  if (hooks === 'caching') {
    const { activationCaching } = await import('@tdhook/probing');
    workflow = new Workflow([activationCaching({ select: everyModule })]);
  }
  const env = params.envs === 1 ? (fixture.envs[0] as (typeof fixture.envs)[number]) : fixture.envs;
  const options = { steps: params.steps, seed: 0, ...(workflow === undefined ? {} : { workflow }) };
  return {
    ...timed(params.envs * params.steps, () => {
      fixture.adapter.rollout(env, fixture.policy, options).dispose();
    }),
    dispose: () => {
      fixture.dispose();
    },
  };
}

async function setupPlain(params: RlRolloutHooksParams): Promise<PreparedVariant> {
  const fixture = await cartPoleFixture(params.envs);
  const { envs, actor, critic } = fixture;
  return {
    ...timed(params.envs * params.steps, () => {
      for (const tensor of plainRollout({
        envs,
        actor,
        critic,
        steps: params.steps,
        seed: 0,
        interpret: false,
      }))
        tensor.dispose();
    }),
    dispose: () => {
      fixture.dispose();
    },
  };
}

/**
 * Rollouts per second: `tdhook` is `rollout(envs, policy, { steps })` (the policy alone), `tdhook-hooks` the
 * same with a workflow that puts a forward hook doing nothing on each of the policy's 10 modules (the hooks'
 * own cost), `tdhook-caching` one that caches the output of each of them (`activationCaching`), and `plain` the loop by hand (forward pass from the variables, argmax, env.step, tensors stacked at
 * the end). Untrained CartPole actor-critic (64, 64), greedy actions; the note gives environment steps per second.
 *
 * @example
 * const suite: Suite = [rlRolloutHooks];
 */
export const rlRolloutHooks: Scenario<RlRolloutHooksParams> = defineScenario<RlRolloutHooksParams>({
  id: 'rl-rollout-hooks',
  title: 'RL: rollout speed with and without hooks',
  description:
    'Environment steps per second of CartPole rollouts of an untrained actor-critic (4 → 64 → 64 → 2, and a value head), greedy actions. tdhook: rollout(envs, policy, { steps }); tdhook-hooks: the same with a workflow whose method puts a forward hook that does nothing on each of the policy’s 10 modules; tdhook-caching: a workflow of activationCaching on the same 10 modules; plain TF.js: the loop by hand (forward from the variables, argmax, env.step, tf.stack at the end).',
  grid: {
    quick: [{ envs: 1, steps: 20 }],
    full: [
      { envs: 1, steps: 500 },
      { envs: 16, steps: 100 },
    ],
  },
  baseline: 'plain',
  variants: {
    tdhook: (params) => setupRollout(params, 'none'),
    'tdhook-hooks': (params) => setupRollout(params, 'noop'),
    'tdhook-caching': (params) => setupRollout(params, 'caching'),
    plain: setupPlain,
  },
  repetitions: { quick: { warmup: 1, runs: 3 }, full: { warmup: 2, runs: 10 } },
});
