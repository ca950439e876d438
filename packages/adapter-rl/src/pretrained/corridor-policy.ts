import type { QNetwork } from '../policies/q-network.js';
import { corridorQWeights } from './corridor-q.js';
import { loadQNetworkWeights } from './corridor-weights.js';

/**
 * The committed corridor Q-network (fitted Q-iteration, `scripts/train-corridor-q.ts`): 100% greedy accuracy
 * and 100% closed-loop success from all 72 start–goal pairs of the 9-cell corridor. A new network each call;
 * the caller disposes it.
 *
 * @example
 * const policy = corridorPolicy();
 * using panel = corridorPanel();
 * const { action } = policy.call(panel.getTensor('observation')); // the optimal action everywhere
 * policy.dispose();
 */
export function corridorPolicy(): QNetwork {
  return loadQNetworkWeights(corridorQWeights);
}
