import { InvalidValueError } from '@tdhook/core';

/**
 * What one corridor step leads to: the agent's new cell, the reward and whether the goal was reached.
 *
 * @example
 * const { agent, reward, terminated }: CorridorTransition = corridorStep(9, 3, 4, 1); // 4, 1, true
 */
export interface CorridorTransition {
  readonly agent: number;
  readonly reward: number;
  readonly terminated: boolean;
}

/**
 * The reward for reaching the goal.
 *
 * @example
 * corridorStep(9, 4, 5, 1).reward === corridorGoalReward; // true
 */
export const corridorGoalReward = 1.0;
/**
 * The reward for every other step (a small cost that favours short paths).
 *
 * @example
 * const worst = 12 * corridorStepReward; // −0.24: an episode truncated after 12 steps
 */
export const corridorStepReward = -0.02;

/**
 * The corridor's transition, pure: the agent moves one cell left (`action` 0) or right (1), staying put at
 * either end; reaching `goal` earns {@link corridorGoalReward} and ends the episode, any other step earns
 * {@link corridorStepReward}. {@link Corridor} steps with it; fitted Q-iteration tabulates it.
 *
 * @example
 * corridorStep(9, 0, 5, 0); // { agent: 0, reward: -0.02, terminated: false }: the wall holds it
 * corridorStep(9, 6, 5, 0); // { agent: 5, reward: 1, terminated: true }
 */
export function corridorStep(
  length: number,
  agent: number,
  goal: number,
  action: number,
): CorridorTransition {
  const cells = (value: number): boolean => Number.isInteger(value) && value >= 0 && value < length;
  if (
    !Number.isInteger(length) ||
    length < 2 ||
    !cells(agent) ||
    !cells(goal) ||
    (action !== 0 && action !== 1)
  ) {
    throw new InvalidValueError({
      what: `corridorStep(${String(length)}, ${String(agent)}, ${String(goal)}, ${String(action)}) is not a corridor move`,
      where: 'corridorStep',
      fix: 'Pass an integer length ≥ 2, agent and goal cells in 0 … length − 1 and action 0 (left) or 1 (right).',
    });
  }
  const next = action === 0 ? Math.max(0, agent - 1) : Math.min(length - 1, agent + 1);
  const terminated = next === goal;
  return { agent: next, reward: terminated ? corridorGoalReward : corridorStepReward, terminated };
}
