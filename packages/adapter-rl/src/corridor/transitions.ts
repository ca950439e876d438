import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';

import { checkCorridorLength } from './check-length.js';
import { corridorStep } from '../env/corridor-step.js';
import { corridorPairs, encodeCorridorState } from './encode.js';

/**
 * The complete transition table of the corridor, for fitted Q-iteration: for every non-terminal state (in
 * {@link corridorPanel} order) and both actions, a TensorDict with batch shape `[N]`: `observation`
 * (`[N, 2, length]`), `['next', 'observation']` (`[N, 2, 2, length]`: per action), `['next', 'reward']`
 * (`[N, 2]`) and `['next', 'terminated']` (bool `[N, 2]`). The caller disposes it.
 *
 * @example
 * using table = corridorTransitions();
 * table.getTensor(['next', 'reward']).shape; // [72, 2]
 */
export function corridorTransitions(length = 9): TensorDict {
  const cells = checkCorridorLength(length, 'corridorTransitions');
  const pairs = corridorPairs(cells);
  const size = 2 * cells;
  const observations = new Float32Array(pairs.length * size);
  const next = new Float32Array(pairs.length * 2 * size);
  const rewards = new Float32Array(pairs.length * 2);
  const terminated = new Uint8Array(pairs.length * 2);
  pairs.forEach(([agent, goal], row) => {
    observations.set(encodeCorridorState(cells, agent, goal), row * size);
    for (const action of [0, 1]) {
      const step = corridorStep(cells, agent, goal, action);
      next.set(encodeCorridorState(cells, step.agent, goal), (row * 2 + action) * size);
      rewards[row * 2 + action] = step.reward;
      terminated[row * 2 + action] = step.terminated ? 1 : 0;
    }
  });
  return new TensorDict(
    {
      observation: tf.tensor3d(observations, [pairs.length, 2, cells]),
      next: {
        observation: tf.tensor4d(next, [pairs.length, 2, 2, cells]),
        reward: tf.tensor2d(rewards, [pairs.length, 2]),
        terminated: tf.tensor2d(terminated, [pairs.length, 2], 'bool'),
      },
    },
    { batchShape: [pairs.length] },
  );
}
