// The committed policies the section explains.
import { ActorCritic } from '@tdhook/adapter-rl';

/** The committed CartPole PPO policy. TODO: cartPolePolicy() from @tdhook/adapter-rl/pretrained once it lands. */
export function loadCartPolePolicy(): ActorCritic {
  return new ActorCritic({ observationSize: 4, actions: 2, seed: 3 });
}
