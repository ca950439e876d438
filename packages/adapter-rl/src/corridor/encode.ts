/**
 * The corridor observation of one state, row-major `[2, length]`: a one-hot agent plane, then a one-hot
 * goal plane.
 *
 * @example
 * encodeCorridorState(9, 6, 1); // Float32Array(18) with ones at 6 and 9 + 1
 */
export function encodeCorridorState(length: number, agent: number, goal: number): Float32Array {
  const observation = new Float32Array(2 * length);
  observation[agent] = 1;
  observation[length + goal] = 1;
  return observation;
}

/**
 * Every non-terminal start–goal pair of a corridor (agent ≠ goal), agent-major as the original enumerates
 * them: 72 pairs for 9 cells.
 *
 * @example
 * corridorPairs(3); // [[0, 1], [0, 2], [1, 0], [1, 2], [2, 0], [2, 1]]
 */
export function corridorPairs(length: number): [agent: number, goal: number][] {
  const pairs: [number, number][] = [];
  for (let agent = 0; agent < length; agent++) {
    for (let goal = 0; goal < length; goal++) if (agent !== goal) pairs.push([agent, goal]);
  }
  return pairs;
}
