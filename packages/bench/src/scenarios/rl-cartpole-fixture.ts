// What the rl-rollout scenarios share: CartPole environments and an untrained 4 → 64 → 64 → 2 (+ value)
// actor-critic from @tdhook/adapter-rl (imported when a variant is set up, so the suite loads without it),
// and the same policy's variables as plain `[kernel, bias]` pairs for the hand-written loop.
import type * as tf from '@tensorflow/tfjs-core';
import type * as AdapterRl from '@tdhook/adapter-rl';
import type { ActorCritic, Environment } from '@tdhook/adapter-rl';

import type { PlainMlp } from './rl-plain-rollout.js';

/** The environments and policy of one grid point. */
export interface CartPoleFixture {
  readonly adapter: typeof AdapterRl;
  readonly envs: Environment[];
  readonly policy: ActorCritic;
  readonly actor: PlainMlp;
  readonly critic: PlainMlp;
  dispose(): void;
}

/** The Linear layers of one of the policy's MLPs, in order, as plain variable pairs. */
function linearPairs(adapter: typeof AdapterRl, mlp: ActorCritic['actor']): PlainMlp {
  return mlp
    .namedChildren()
    .map(([, child]) => child)
    .filter((child): child is InstanceType<typeof adapter.Linear> => child instanceof adapter.Linear)
    .map((layer) => {
      if (layer.bias === undefined) throw new Error('The policy’s Linear layers have biases');
      return [layer.kernel as tf.Tensor2D, layer.bias as tf.Tensor1D] as const;
    });
}

/**
 * `envs` CartPole environments and an actor-critic seeded with 1 (untrained: episodes last ~10–40 steps,
 * so rollouts reset environments along the way).
 *
 * @example
 * const { envs, policy, dispose } = await cartPoleFixture(8);
 */
export async function cartPoleFixture(envs: number): Promise<CartPoleFixture> {
  const adapter = await import('@tdhook/adapter-rl');
  const policy = new adapter.ActorCritic({ observationSize: 4, actions: 2, hidden: [64, 64], seed: 1 });
  return {
    adapter,
    envs: Array.from({ length: envs }, () => new adapter.CartPole()),
    policy,
    actor: linearPairs(adapter, policy.actor),
    critic: linearPairs(adapter, policy.critic),
    dispose: () => {
      policy.dispose();
    },
  };
}
