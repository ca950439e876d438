/**
 * A box of real numbers: the observation space of every environment here (Gymnasium's `Box`).
 *
 * @example
 * const space: BoxSpace = { kind: 'box', shape: [4], low: [-4.8, -Infinity, -0.418, -Infinity], high: [4.8, Infinity, 0.418, Infinity] };
 */
export interface BoxSpace {
  readonly kind: 'box';
  /** The observation's shape without a batch axis (CartPole `[4]`, the corridor `[2, 9]`). */
  readonly shape: readonly number[];
  /** Lower bounds, one per element in row-major order (or one number for all); `-Infinity` where unbounded. */
  readonly low: readonly number[] | number;
  /** Upper bounds, as `low`. */
  readonly high: readonly number[] | number;
  /** Names of the elements, in row-major order, where they have one (CartPole: `cart_position`, …). */
  readonly names?: readonly string[];
}

/**
 * `n` actions numbered `0 … n − 1` (Gymnasium's `Discrete`).
 *
 * @example
 * const space: DiscreteSpace = { kind: 'discrete', n: 2, names: ['left', 'right'] };
 */
export interface DiscreteSpace {
  readonly kind: 'discrete';
  readonly n: number;
  /** What each action does, for plots and reports. */
  readonly names?: readonly string[];
}

/**
 * Numbers an environment reports beside the observation at every step (the corridor's agent and goal
 * cells); a rollout stores each under `['info', name]`.
 *
 * @example
 * const info: StepInfo = { agent: 3, goal: 7 };
 */
export type StepInfo = Readonly<Record<string, number>>;

/**
 * What `reset` returns: the first observation (row-major, `observationSpace.shape`) and the info.
 *
 * @example
 * const { observation, info }: ResetResult = env.reset({ seed: 0 });
 */
export interface ResetResult {
  readonly observation: Float32Array;
  readonly info: StepInfo;
}

/**
 * What `step` returns, as Gymnasium's `step`: the next observation, the reward, whether the episode ended
 * in a terminal state (`terminated`) or was cut off by a time limit (`truncated`), and the info.
 *
 * @example
 * const { observation, reward, terminated, truncated } = env.step(1);
 */
export interface StepResult extends ResetResult {
  readonly reward: number;
  readonly terminated: boolean;
  readonly truncated: boolean;
}

/**
 * Options of {@link Environment.reset}: a seed (re-seeds the environment's generator, as Gymnasium's
 * `reset(seed=…)`; without it the generator goes on) and environment-specific start options.
 *
 * @example
 * env.reset({ seed: 42 });
 * corridor.reset({ options: { agent: 6, goal: 1 } });
 */
export interface ResetOptions {
  readonly seed?: number;
  readonly options?: Readonly<Record<string, number>>;
}

/**
 * An RGBA picture of the current state (what `render()` returns), row-major, 4 bytes a pixel.
 *
 * @example
 * const { width, height, data } = env.render();
 */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

/**
 * A Gymnasium-style environment with a box observation and discrete actions: `reset`, then `step` until
 * `terminated` or `truncated`, then `reset` again. Seeded runs repeat exactly.
 *
 * @example
 * const env = new CartPole();
 * let { observation } = env.reset({ seed: 0 });
 * for (;;) {
 *   const step = env.step(observation[2]! > 0 ? 1 : 0); // push toward the side the pole leans to
 *   observation = step.observation;
 *   if (step.terminated || step.truncated) break;
 * }
 */
export interface Environment {
  /** Gymnasium's id where there is one (`'CartPole-v1'`), else a name (`'Corridor-9'`). */
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  /** Steps after which an episode is truncated (CartPole-v1: 500). */
  readonly maxEpisodeSteps: number;
  reset(options?: ResetOptions): ResetResult;
  step(action: number): StepResult;
  /** A picture of the current state. */
  render(): RgbaImage;
}
