// Probes on the CartPole policy's layers (@tdhook/adapter-rl/probes): from greedy rollouts of the committed
// policy, how well linear probes read the action, the value, the pole angle and the cart velocity from the
// observation (the baseline) and from each layer of the actor and the critic, each next to a shuffled-label
// control.
import { performance } from 'node:perf_hooks';

import { CartPole, rollout, type ActorCritic } from '@tdhook/adapter-rl';
import { probePolicy, type ProbeRow } from '@tdhook/adapter-rl/probes';

export const probeSetup = { environments: 4, steps: 200, folds: 3, seed: 3 } as const;

/** The hidden layers' activations and the heads: what each part of the network passes on. */
export const probeLayers = ['actor.1', 'actor.3', 'actor.4', 'critic.1', 'critic.3', 'critic.4'] as const;

/** The probe table's rows and how the data was made. */
export interface CartPoleProbes {
  readonly rows: readonly ProbeRow[];
  /** Steps the probes were fitted on (environments × steps). */
  readonly samples: number;
  readonly seconds: number;
}

export const probeTargets = {
  action: { key: 'action' },
  value: { key: 'value' },
  pole_angle: { key: 'observation', column: 2 },
  cart_velocity: { key: 'observation', column: 1 },
} as const;

/** Rolls out the policy greedily in a few seeded environments and probes every layer. */
export function cartPoleProbes(policy: ActorCritic): CartPoleProbes {
  const started = performance.now();
  const { environments, steps, folds, seed } = probeSetup;
  const envs = Array.from({ length: environments }, () => new CartPole());
  using trajectory = rollout(envs, policy, { steps, seed });
  const rows = probePolicy(policy, trajectory, { targets: probeTargets, layers: probeLayers, folds, seed });
  return { rows, samples: environments * steps, seconds: (performance.now() - started) / 1000 };
}
