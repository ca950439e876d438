import { InvalidValueError } from '@tdhook/core';
import { seededRandom } from '@tdhook/core/plugin';
import type {
  BoxSpace,
  DiscreteSpace,
  Environment,
  ResetOptions,
  ResetResult,
  RgbaImage,
  StepResult,
} from './environment.js';
import { checkAction, checkResetOptions, checkRunning } from './environment-checks.js';
import { cartPoleConstants, cartPoleStep, type CartPoleState } from './cartpole-physics.js';
import { renderCartPole } from './cartpole-render.js';

/**
 * Options of {@link CartPole}.
 *
 * @example
 * const options: CartPoleOptions = { maxEpisodeSteps: 200, renderWidth: 300 };
 */
export interface CartPoleOptions {
  /** Steps after which an episode is truncated. Default 500 (CartPole-v1). */
  readonly maxEpisodeSteps?: number;
  /** Width in pixels of `render()`'s picture; its height is two thirds of it. Default 600 (Gymnasium's). */
  readonly renderWidth?: number;
}

const observationNames = ['cart_position', 'cart_velocity', 'pole_angle', 'pole_angular_velocity'] as const;

/** The state `reset`'s options give, all four variables by name. */
function startState(start: Readonly<Record<string, number>>): CartPoleState {
  const [x, xDot, theta, thetaDot] = observationNames.map((name) => start[name]);
  if (x === undefined || xDot === undefined || theta === undefined || thetaDot === undefined) {
    const missing = observationNames.filter((name) => start[name] === undefined);
    throw new InvalidValueError({
      what: `CartPole-v1.reset's start options lack ${missing.join(', ')}`,
      where: 'CartPole-v1.reset',
      fix: `Give all four: ${observationNames.join(', ')}.`,
    });
  }
  return [x, xDot, theta, thetaDot];
}

/**
 * Gymnasium's CartPole-v1: balance a pole on a cart by pushing the cart left (action 0) or right (1). The
 * observation is `[cart_position, cart_velocity, pole_angle, pole_angular_velocity]` (float32; the state is
 * kept in float64, as Gymnasium keeps it); every step earns 1, the terminating one included; the episode
 * terminates when the cart leaves ±2.4 or the pole leans past ±12°, and is truncated after 500 steps.
 *
 * `reset({ seed })` draws each state variable uniformly from ±0.05 with core's `seededRandom`: seeded runs
 * repeat exactly, but Gymnasium's own generator (PCG64) is not reproduced, so a seed gives other start states
 * than in Python. `reset({ options: { cart_position, cart_velocity, pole_angle, pole_angular_velocity } })`
 * starts from a given state instead. Without any seed the generator starts from seed 0.
 *
 * @example
 * const env = new CartPole();
 * let { observation } = env.reset({ seed: 0 });
 * let total = 0;
 * for (;;) {
 *   const step = env.step(observation[2]! + observation[3]! > 0 ? 1 : 0);
 *   total += step.reward;
 *   observation = step.observation;
 *   if (step.terminated || step.truncated) break;
 * }
 */
export class CartPole implements Environment {
  readonly id = 'CartPole-v1';
  readonly observationSpace: BoxSpace = {
    kind: 'box',
    shape: [4],
    low: [-2 * cartPoleConstants.xThreshold, -Infinity, -2 * cartPoleConstants.thetaThreshold, -Infinity],
    high: [2 * cartPoleConstants.xThreshold, Infinity, 2 * cartPoleConstants.thetaThreshold, Infinity],
    names: observationNames,
  };
  readonly actionSpace: DiscreteSpace = { kind: 'discrete', n: 2, names: ['push left', 'push right'] };
  readonly maxEpisodeSteps: number;
  readonly renderWidth: number;

  private random = seededRandom(0);
  private current: CartPoleState = [0, 0, 0, 0];
  private steps = 0;
  private phase: 'idle' | 'running' | 'ended' = 'idle';

  constructor(options: CartPoleOptions = {}) {
    const { maxEpisodeSteps = 500, renderWidth = 600 } = options;
    for (const [name, value] of [
      ['maxEpisodeSteps', maxEpisodeSteps],
      ['renderWidth', renderWidth],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new InvalidValueError({
          what: `CartPole's ${name} must be a positive integer, got ${String(value)}`,
          where: 'new CartPole',
          fix: `Pass ${name} ≥ 1 (default ${name === 'maxEpisodeSteps' ? 500 : 600}).`,
        });
      }
    }
    this.maxEpisodeSteps = maxEpisodeSteps;
    this.renderWidth = renderWidth;
  }

  /** The float64 state `[cart_position, cart_velocity, pole_angle, pole_angular_velocity]` (a copy). */
  get state(): CartPoleState {
    return [...this.current];
  }

  /**
   * Starts an episode: from a seeded random state (`seed`; without one the generator goes on) or from the
   * state given in `options` (all four variables by name).
   */
  reset(options?: ResetOptions): ResetResult {
    const start = checkResetOptions(this.id, options, observationNames);
    const given = start === undefined ? undefined : startState(start);
    if (options?.seed !== undefined) this.random = seededRandom(options.seed);
    this.current = given ?? [this.uniform(), this.uniform(), this.uniform(), this.uniform()];
    this.steps = 0;
    this.phase = 'running';
    return { observation: Float32Array.from(this.current), info: {} };
  }

  /** Pushes the cart left (0) or right (1) for one 0.02 s step. */
  step(action: number): StepResult {
    checkRunning(this.id, this.phase);
    checkAction(this.id, this.actionSpace, action);
    const { state, terminated } = cartPoleStep(this.current, action);
    this.current = state;
    this.steps += 1;
    // As Gymnasium's TimeLimit: truncated at the step limit even when that step also terminates.
    const truncated = this.steps >= this.maxEpisodeSteps;
    if (terminated || truncated) this.phase = 'ended';
    return { observation: Float32Array.from(state), reward: 1, terminated, truncated, info: {} };
  }

  /** The cart, the pole and the track, as Gymnasium draws them (`renderWidth` wide). */
  render(): RgbaImage {
    return renderCartPole(this.current, this.renderWidth);
  }

  private uniform(): number {
    return -0.05 + 0.1 * this.random();
  }
}
