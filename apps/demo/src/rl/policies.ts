// The committed policies the section explains.
import { ActorCritic, type QNetwork } from '@tdhook/adapter-rl';
import { corridorPolicy } from '@tdhook/adapter-rl/pretrained';

/** The committed CartPole PPO policy. TODO: cartPolePolicy() from @tdhook/adapter-rl/pretrained once it lands. */
export function loadCartPolePolicy(): ActorCritic {
  return new ActorCritic({ observationSize: 4, actions: 2, seed: 3 });
}

/** The committed corridor Q-network (fitted Q-iteration). */
export function loadCorridorPolicy(): QNetwork {
  return corridorPolicy();
}
