// The committed policies the section explains.
import type { ActorCritic, QNetwork } from '@tdhook/adapter-rl';
import { cartPolePolicy, corridorPolicy } from '@tdhook/adapter-rl/pretrained';

/** The committed CartPole PPO actor-critic (scripts/train-cartpole-ppo.ts). */
export function loadCartPolePolicy(): ActorCritic {
  return cartPolePolicy();
}

/** The committed corridor Q-network (fitted Q-iteration, scripts/train-corridor-q.ts). */
export function loadCorridorPolicy(): QNetwork {
  return corridorPolicy();
}
