// The corridor's transition as a pure function, shared by the training table and the rollouts here.
// TODO(envs): the envs helper exports the same function from src/env/ (corridorStep); switch to it once it lands.

/**
 * What one corridor step gives: the agent's new cell, the reward and whether the goal was reached.
 *
 * @example
 * const { agent, reward, terminated }: CorridorStepResult = corridorTransition(9, 3, 7, 1);
 */
export interface CorridorStepResult {
  readonly agent: number;
  readonly reward: number;
  readonly terminated: boolean;
}

/**
 * One step of the corridor of `length` cells: action 0 moves left, 1 right (clipped at the walls); reaching
 * the goal gives 1.0 and ends the episode, any other step −0.02 (the original tutorial's MDP).
 *
 * @example
 * corridorTransition(9, 3, 4, 1); // { agent: 4, reward: 1, terminated: true }
 */
export function corridorTransition(
  length: number,
  agent: number,
  goal: number,
  action: number,
): CorridorStepResult {
  const next = Math.max(0, Math.min(length - 1, agent + (action === 0 ? -1 : 1)));
  const terminated = next === goal;
  return { agent: next, reward: terminated ? 1 : -0.02, terminated };
}
