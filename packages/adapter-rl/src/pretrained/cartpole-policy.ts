import { loadPolicyWeights } from '../io/policy-weights.js';
import { ActorCritic } from '../policies/actor-critic.js';
import { cartPolePpoArchitecture, cartPolePpoWeights } from './cartpole-ppo-weights.js';

/**
 * A new {@link ActorCritic} with the committed CartPole-v1 weights, trained here with PPO
 * (`scripts/train-cartpole-ppo.ts`): a `[32, 32]` tanh actor and critic reading `observation` (cart position,
 * cart velocity, pole angle, pole angular velocity) and writing `logits`, the greedy `action` and `value`. Its
 * greedy average return over 100 seeded episodes is 500 (the maximum; see {@link cartPolePpoTraining}). The
 * caller owns it: dispose it when done.
 *
 * @example
 * import { cartPolePolicy } from '@tdhook/adapter-rl/pretrained';
 * const policy = cartPolePolicy();
 * using trajectory = rollout(new CartPole(), policy, { episodes: 1, seed: 0 });
 * policy.dispose();
 */
export function cartPolePolicy(): ActorCritic {
  const policy = new ActorCritic(cartPolePpoArchitecture);
  try {
    loadPolicyWeights(policy, cartPolePpoWeights);
  } catch (error) {
    policy.dispose();
    throw error;
  }
  return policy;
}
