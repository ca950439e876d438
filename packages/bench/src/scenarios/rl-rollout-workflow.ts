// A CartPole rollout that caches the policy's hidden activations and explains every chosen action and value as
// it goes (@tdhook/adapter-rl's rollout with a Workflow of activationCaching + saliency with two named targets)
// against the same loop written by hand with plain TF.js. @tdhook/adapter-rl, @tdhook/probing and
// @tdhook/attribution are imported when a variant is set up, so the suite loads without them.
import { Workflow } from '@tdhook/core';

import { defineScenario, type PreparedVariant, type Scenario } from '../scenario.js';
import { cartPoleFixture } from './rl-cartpole-fixture.js';
import { plainRollout } from './rl-plain-rollout.js';

/**
 * A grid point of {@link rlRolloutWorkflow}: environments stepped together and steps per environment.
 *
 * @example
 * const point: RlRolloutWorkflowParams = { envs: 8, steps: 100 };
 */
export type RlRolloutWorkflowParams = {
  readonly envs: number;
  readonly steps: number;
};

const hiddenPaths = ['actor.1', 'actor.3', 'critic.1', 'critic.3'];

/** The workflow the tdhook variant runs at every step. */
export async function cachingAttributionWorkflow(): Promise<Workflow> {
  const { activationCaching } = await import('@tdhook/probing');
  const { saliency } = await import('@tdhook/attribution');
  return new Workflow([
    activationCaching({ select: hiddenPaths }),
    saliency({
      targets: { action: { output: 'logits', select: 'argmax' }, value: { output: 'value' } },
    }),
  ]);
}

function note({ envs, steps }: RlRolloutWorkflowParams): () => string {
  return () => `${String(envs * steps)} environment steps a call (${String(envs)} × ${String(steps)})`;
}

async function setupTdhook(
  params: RlRolloutWorkflowParams,
  runWorkflow: 'every-step' | 'once-after',
): Promise<PreparedVariant> {
  const fixture = await cartPoleFixture(params.envs);
  const workflow = await cachingAttributionWorkflow();
  const env = params.envs === 1 ? (fixture.envs[0] as (typeof fixture.envs)[number]) : fixture.envs;
  return {
    run: () => {
      fixture.adapter
        .rollout(env, fixture.policy, { steps: params.steps, workflow, runWorkflow, seed: 0 })
        .dispose();
      return undefined;
    },
    note: note(params),
    dispose: () => {
      fixture.dispose();
    },
  };
}

async function setupPlain(params: RlRolloutWorkflowParams): Promise<PreparedVariant> {
  const fixture = await cartPoleFixture(params.envs);
  const { envs, actor, critic } = fixture;
  return {
    run: () => {
      for (const tensor of plainRollout({
        envs,
        actor,
        critic,
        steps: params.steps,
        seed: 0,
        interpret: true,
      }))
        tensor.dispose();
      return undefined;
    },
    note: note(params),
    dispose: () => {
      fixture.dispose();
    },
  };
}

/**
 * Rollouts that interpret as they go: `tdhook` is `rollout(envs, policy, { steps, workflow })` with a
 * workflow of `activationCaching` (the four hidden tanh outputs) and `saliency` of the chosen action's logit
 * and of the value (named targets, one call) run at every step; `tdhook-once-after` the same with
 * `runWorkflow: 'once-after'` (the policy alone while stepping, the workflow once on the whole trajectory:
 * the same numbers, the tests check); `plain` is the loop written by hand (forward pass from the
 * variables with the activations kept, `tf.grad` once per target, tensors stacked at the end). Untrained
 * CartPole actor-critic (64, 64), greedy actions, environments reset as episodes end.
 *
 * @example
 * const suite: Suite = [rlRolloutWorkflow];
 */
export const rlRolloutWorkflow: Scenario<RlRolloutWorkflowParams> = defineScenario<RlRolloutWorkflowParams>({
  id: 'rl-rollout-workflow',
  title: 'RL: a rollout with a caching + attribution workflow',
  description:
    'CartPole rollouts of an untrained actor-critic (4 → 64 → 64 → 2, and a value head) that cache the four hidden activations and compute the saliency of the chosen action’s logit and of the value at every step. tdhook: rollout(envs, policy, { steps, workflow: new Workflow([activationCaching(...), saliency({ targets: { action, value } })]) }) → one TensorDict stacked over time; tdhook-once-after: the same with runWorkflow: “once-after” (the policy alone acts, the workflow runs once on all the trajectory’s observations; same numbers). plain TF.js: the same loop by hand (forward from the variables keeping the activations, tf.grad once per target, argmax, env.step, tf.stack at the end). Goal: tdhook ≥ 0.9x the speed of plain.',
  grid: {
    quick: [{ envs: 1, steps: 20 }],
    full: [
      { envs: 1, steps: 200 },
      { envs: 8, steps: 100 },
    ],
  },
  baseline: 'plain',
  variants: {
    tdhook: (params) => setupTdhook(params, 'every-step'),
    'tdhook-once-after': (params) => setupTdhook(params, 'once-after'),
    plain: setupPlain,
  },
  repetitions: { quick: { warmup: 1, runs: 3 }, full: { warmup: 2, runs: 10 } },
});
