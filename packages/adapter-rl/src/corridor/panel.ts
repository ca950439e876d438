import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';

import { checkCorridorLength } from './check-length.js';
import { corridorPairs, encodeCorridorState } from './encode.js';

/**
 * The frozen evaluation panel of the corridor tutorial: every non-terminal start–goal pair (72 for 9 cells),
 * agent-major, as a TensorDict with batch shape `[N]`: `observation` (`[N, 2, length]`), `target_action`
 * (int32, the optimal action: 1 when the goal is to the right), `concept_labels` (int32, the same: 1 for a
 * right-goal state, 0 for a left-goal one), `agent` and `goal` (int32 cells). The caller disposes it.
 *
 * @example
 * using panel = corridorPanel();
 * panel.getTensor('observation').shape; // [72, 2, 9]
 */
export function corridorPanel(length = 9): TensorDict {
  const cells = checkCorridorLength(length, 'corridorPanel');
  const pairs = corridorPairs(cells);
  const observations = new Float32Array(pairs.length * 2 * cells);
  pairs.forEach(([agent, goal], row) => {
    observations.set(encodeCorridorState(cells, agent, goal), row * 2 * cells);
  });
  const right = Int32Array.from(pairs, ([agent, goal]) => (goal > agent ? 1 : 0));
  return new TensorDict(
    {
      observation: tf.tensor3d(observations, [pairs.length, 2, cells]),
      target_action: tf.tensor1d(right, 'int32'),
      concept_labels: tf.tensor1d(right.slice(), 'int32'),
      agent: tf.tensor1d(
        Int32Array.from(pairs, ([agent]) => agent),
        'int32',
      ),
      goal: tf.tensor1d(
        Int32Array.from(pairs, ([, goal]) => goal),
        'int32',
      ),
    },
    { batchShape: [pairs.length] },
  );
}
