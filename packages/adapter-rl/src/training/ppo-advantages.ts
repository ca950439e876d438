// Generalised advantage estimation over a rollout laid out [envs, steps] (row-major), in float64.

/**
 * What {@link generalizedAdvantages} reads: per step of each environment, the reward, the critic's value
 * of the observation and of the next observation, whether the episode ended in a terminal state
 * (`terminated`: no value after it) and whether it ended at all (`done`: terminated or truncated by a time
 * limit, so the next step belongs to a new episode). All `[envs × steps]`, row-major by environment.
 *
 * @example
 * const input: AdvantageInput = {
 *   envs: 1, steps: 2, rewards: [1, 1], values: [0.5, 0.4], nextValues: [0.4, 0.3],
 *   terminated: [0, 1], done: [0, 1],
 * };
 */
export interface AdvantageInput {
  readonly envs: number;
  readonly steps: number;
  readonly rewards: ArrayLike<number>;
  readonly values: ArrayLike<number>;
  readonly nextValues: ArrayLike<number>;
  readonly terminated: ArrayLike<number | boolean>;
  readonly done: ArrayLike<number | boolean>;
}

/**
 * The advantages and the value targets (`advantage + value`), `[envs × steps]` like the input.
 *
 * @example
 * const { advantages, returns }: Advantages = generalizedAdvantages(input, { gamma: 0.99, lambda: 0.95 });
 */
export interface Advantages {
  readonly advantages: Float32Array;
  readonly returns: Float32Array;
}

/**
 * Discounting of {@link generalizedAdvantages}.
 *
 * @example
 * const discount: AdvantageDiscount = { gamma: 0.99, lambda: 0.95 };
 */
export interface AdvantageDiscount {
  /** The discount factor γ. */
  readonly gamma: number;
  /** GAE's λ: 0 gives one-step TD errors, 1 Monte-Carlo returns minus the value. */
  readonly lambda: number;
}

/**
 * GAE(λ) (Schulman et al. 2016): `δ_t = r_t + γ·(1 − terminated_t)·V(s'_t) − V(s_t)` and
 * `A_t = δ_t + γλ·(1 − done_t)·A_{t+1}`, backwards over each environment's steps. A truncated episode (done,
 * not terminated) still bootstraps from the value of its last observation, and the last step of the
 * rollout bootstraps from `V(s'_T)` as if it went on.
 *
 * @example
 * const { advantages } = generalizedAdvantages(
 *   { envs: 1, steps: 2, rewards: [1, 1], values: [0, 0], nextValues: [0, 0], terminated: [0, 1], done: [0, 1] },
 *   { gamma: 0.5, lambda: 1 },
 * );
 * Array.from(advantages); // [1.5, 1]
 */
export function generalizedAdvantages(input: AdvantageInput, discount: AdvantageDiscount): Advantages {
  const { envs, steps, rewards, values, nextValues, terminated, done } = input;
  const { gamma, lambda } = discount;
  const advantages = new Float32Array(envs * steps);
  const returns = new Float32Array(envs * steps);
  for (let env = 0; env < envs; env += 1) {
    let next = 0;
    for (let step = steps - 1; step >= 0; step -= 1) {
      const at = env * steps + step;
      const alive = terminated[at] ? 0 : 1;
      const goesOn = done[at] ? 0 : 1;
      const value = values[at] as number;
      const delta = (rewards[at] as number) + gamma * alive * (nextValues[at] as number) - value;
      next = delta + gamma * lambda * goesOn * next;
      advantages[at] = next;
      returns[at] = next + value;
    }
  }
  return { advantages, returns };
}
