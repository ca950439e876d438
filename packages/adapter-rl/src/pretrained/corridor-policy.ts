import { loadPolicyWeights } from '../io/policy-weights.js';
import { QNetwork } from '../policies/q-network.js';
import { corridorQArchitecture, corridorQWeights } from './corridor-q.js';

/**
 * A new {@link QNetwork} with the committed corridor weights, trained here with fitted Q-iteration
 * (`scripts/train-corridor-q.ts`): 100% greedy accuracy and 100% closed-loop success from all 72 start–goal
 * pairs of the 9-cell corridor (see {@link corridorQTraining}). The caller owns it: dispose it when done.
 *
 * @example
 * import { corridorPolicy } from '@tdhook/adapter-rl/pretrained';
 * const policy = corridorPolicy();
 * using panel = corridorPanel();
 * const { action } = policy.call(panel.getTensor('observation')); // the optimal action everywhere
 * policy.dispose();
 */
export function corridorPolicy(): QNetwork {
  const policy = new QNetwork(corridorQArchitecture);
  try {
    loadPolicyWeights(policy, corridorQWeights);
  } catch (error) {
    policy.dispose();
    throw error;
  }
  return policy;
}
