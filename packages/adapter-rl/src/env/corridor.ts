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
import { corridorStep } from './corridor-step.js';
import { renderCorridor } from './corridor-render.js';

/**
 * Options of {@link Corridor}.
 *
 * @example
 * const options: CorridorOptions = { length: 9, maxEpisodeSteps: 12 };
 */
export interface CorridorOptions {
  /** Number of cells. Default 9. */
  readonly length?: number;
  /** Steps after which an episode is truncated. Default 12. */
  readonly maxEpisodeSteps?: number;
  /** Side of a cell in `render()`'s picture, in pixels. Default 32. */
  readonly cellSize?: number;
}

const startNames = ['agent', 'goal'] as const;

/**
 * The original's corridor: an agent walks left (action 0) or right (1) along a row of cells towards a goal.
 * The observation is two one-hot planes `[2, length]` (row 0 the agent's cell, row 1 the goal's), row-major;
 * reaching the goal earns 1 and terminates the episode, every other step costs 0.02 (see {@link corridorStep});
 * episodes are truncated after 12 steps. `info` is `{ agent, goal }`.
 *
 * `reset({ seed })` draws a start cell and a different goal cell uniformly (each of the length·(length − 1)
 * pairs equally likely: 72 for 9 cells); `reset({ options: { agent, goal } })` starts from given cells.
 *
 * @example
 * const env = new Corridor();
 * let { info } = env.reset({ options: { agent: 6, goal: 1 } });
 * for (;;) {
 *   const step = env.step(info.goal! > info.agent! ? 1 : 0); // walk toward the goal
 *   info = step.info;
 *   if (step.terminated || step.truncated) break;
 * }
 */
export class Corridor implements Environment {
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace = { kind: 'discrete', n: 2, names: ['left', 'right'] };
  readonly length: number;
  readonly maxEpisodeSteps: number;
  readonly cellSize: number;

  private random = seededRandom(0);
  private agent = 0;
  private goal = 1;
  private steps = 0;
  private phase: 'idle' | 'running' | 'ended' = 'idle';

  constructor(options: CorridorOptions = {}) {
    const { length = 9, maxEpisodeSteps = 12, cellSize = 32 } = options;
    for (const [name, value, least, fallback] of [
      ['length', length, 2, 9],
      ['maxEpisodeSteps', maxEpisodeSteps, 1, 12],
      ['cellSize', cellSize, 1, 32],
    ] as const) {
      if (!Number.isInteger(value) || value < least) {
        throw new InvalidValueError({
          what: `Corridor's ${name} must be an integer ≥ ${least}, got ${String(value)}`,
          where: 'new Corridor',
          fix: `Pass ${name} ≥ ${least} (default ${fallback}).`,
        });
      }
    }
    this.length = length;
    this.maxEpisodeSteps = maxEpisodeSteps;
    this.cellSize = cellSize;
    this.id = `Corridor-${length}`;
    const names = [...startNames.flatMap((plane) => Array.from({ length }, (_, cell) => `${plane}_${cell}`))];
    this.observationSpace = { kind: 'box', shape: [2, length], low: 0, high: 1, names };
  }

  /** Starts an episode from seeded random cells (`seed`; without one the generator goes on) or from `options`. */
  reset(options?: ResetOptions): ResetResult {
    const start = checkResetOptions(this.id, options, startNames);
    const given = start === undefined ? undefined : this.startCells(start);
    if (options?.seed !== undefined) this.random = seededRandom(options.seed);
    if (given === undefined) {
      this.agent = Math.floor(this.random() * this.length);
      const other = Math.floor(this.random() * (this.length - 1));
      this.goal = other >= this.agent ? other + 1 : other; // skip the agent's cell: uniform over distinct pairs
    } else {
      [this.agent, this.goal] = given;
    }
    this.steps = 0;
    this.phase = 'running';
    return { observation: this.observe(), info: { agent: this.agent, goal: this.goal } };
  }

  /** Moves the agent one cell left (0) or right (1). */
  step(action: number): StepResult {
    checkRunning(this.id, this.phase);
    checkAction(this.id, this.actionSpace, action);
    const { agent, reward, terminated } = corridorStep(this.length, this.agent, this.goal, action);
    this.agent = agent;
    this.steps += 1;
    const truncated = this.steps >= this.maxEpisodeSteps;
    if (terminated || truncated) this.phase = 'ended';
    return { observation: this.observe(), reward, terminated, truncated, info: { agent, goal: this.goal } };
  }

  /** The cells, the goal (green) and the agent (blue), `cellSize` pixels a cell. */
  render(): RgbaImage {
    return renderCorridor(this.length, this.agent, this.goal, this.cellSize);
  }

  private observe(): Float32Array {
    const observation = new Float32Array(2 * this.length);
    observation[this.agent] = 1;
    observation[this.length + this.goal] = 1;
    return observation;
  }

  private startCells(start: Readonly<Record<string, number>>): readonly [number, number] {
    const { agent, goal } = start;
    const cell = (value: number | undefined): value is number =>
      value !== undefined && Number.isInteger(value) && value >= 0 && value < this.length;
    if (!cell(agent) || !cell(goal) || agent === goal) {
      throw new InvalidValueError({
        what: `${this.id}.reset got agent ${String(agent)} and goal ${String(goal)}`,
        where: `${this.id}.reset`,
        fix: `Give both, as different integer cells from 0 to ${this.length - 1}.`,
      });
    }
    return [agent, goal];
  }
}
