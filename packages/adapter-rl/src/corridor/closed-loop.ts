import * as tf from '@tensorflow/tfjs-core';
import { checkOptionNames } from '@tdhook/core/plugin';

import type { QNetwork } from '../policies/q-network.js';
import { checkCorridorLength } from './check-length.js';
import { corridorStep } from '../env/corridor-step.js';
import { corridorPairs, encodeCorridorState } from './encode.js';

/**
 * What a batch of corridor rollouts gave, one entry per start–goal pair: the cells visited (`path`, row-major
 * `[pairs, maxSteps + 1]`, the last cell repeated after the end), the moves made, whether the goal was
 * reached, the left moves, and the first action (the open-loop decision at the start state).
 *
 * @example
 * const { success, path }: CorridorRollouts = corridorClosedLoop(corridorPolicy());
 */
export interface CorridorRollouts {
  readonly path: Int32Array;
  readonly steps: Int32Array;
  readonly success: Uint8Array;
  readonly leftMoves: Int32Array;
  readonly firstAction: Int32Array;
  /** Pairs that reached the goal / all pairs. */
  readonly successRate: number;
  /** Left moves / all moves, over every pair. */
  readonly leftFraction: number;
}

/**
 * Greedy closed-loop rollouts from many start–goal pairs at once: at every step the unfinished pairs'
 * observations (`[count, 2, length]`, row-major) go to `act` in one batch, which returns one action each.
 * An episode ends at the goal or after `maxSteps` moves (the corridor's time limit).
 *
 * @example
 * const rollouts = rollOutCorridor(Int32Array.of(6), Int32Array.of(1), 9, 12, (observations, count) => Int32Array.from({ length: count }, () => 0));
 * rollouts.successRate; // 1: walking left from 6 reaches 1
 */
export function rollOutCorridor(
  agents: Int32Array,
  goals: Int32Array,
  length: number,
  maxSteps: number,
  act: (observations: Float32Array, count: number) => Int32Array,
): CorridorRollouts {
  const rows = agents.length;
  const size = 2 * length;
  const position = agents.slice();
  const path = new Int32Array(rows * (maxSteps + 1));
  const steps = new Int32Array(rows);
  const success = new Uint8Array(rows);
  const leftMoves = new Int32Array(rows);
  const firstAction = new Int32Array(rows).fill(-1);
  for (let row = 0; row < rows; row++) {
    path.fill(position[row] ?? 0, row * (maxSteps + 1), (row + 1) * (maxSteps + 1));
    success[row] = position[row] === goals[row] ? 1 : 0;
  }
  for (let t = 0; t < maxSteps; t++) {
    const active: number[] = [];
    for (let row = 0; row < rows; row++) if (success[row] === 0) active.push(row);
    if (active.length === 0) break;
    const observations = new Float32Array(active.length * size);
    active.forEach((row, index) => {
      observations.set(encodeCorridorState(length, position[row] ?? 0, goals[row] ?? 0), index * size);
    });
    const actions = act(observations, active.length);
    active.forEach((row, index) => {
      const action = actions[index] ?? 0;
      if (t === 0) firstAction[row] = action;
      const next = corridorStep(length, position[row] ?? 0, goals[row] ?? 0, action);
      position[row] = next.agent;
      steps[row] = t + 1;
      if (action === 0) leftMoves[row] = (leftMoves[row] ?? 0) + 1;
      if (next.terminated) success[row] = 1;
      path.fill(next.agent, row * (maxSteps + 1) + t + 1, (row + 1) * (maxSteps + 1));
    });
  }
  const moves = steps.reduce((total, count) => total + count, 0);
  const left = leftMoves.reduce((total, count) => total + count, 0);
  const successes = success.reduce((total, flag) => total + flag, 0);
  return {
    path,
    steps,
    success,
    leftMoves,
    firstAction,
    successRate: rows === 0 ? 0 : successes / rows,
    leftFraction: moves === 0 ? 0 : left / moves,
  };
}

/**
 * Options of {@link corridorClosedLoop}.
 *
 * @example
 * const options: CorridorClosedLoopOptions = { maxSteps: 12 };
 */
export interface CorridorClosedLoopOptions {
  /** Steps after which an episode is cut off. Default 12. */
  readonly maxSteps?: number;
}

/**
 * The policy's greedy closed-loop rollouts from every start–goal pair of its corridor (72 for 9 cells), in
 * {@link corridorPanel} order, calling the network directly (no hooks, no workflow).
 *
 * @example
 * const { successRate, leftFraction } = corridorClosedLoop(corridorPolicy()); // 1, 0.5
 */
export function corridorClosedLoop(
  network: QNetwork,
  options: CorridorClosedLoopOptions = {},
): CorridorRollouts {
  checkOptionNames(options, ['maxSteps'], {}, 'corridorClosedLoop');
  const length = checkCorridorLength(network.length, 'corridorClosedLoop');
  const pairs = corridorPairs(length);
  return rollOutCorridor(
    Int32Array.from(pairs, ([agent]) => agent),
    Int32Array.from(pairs, ([, goal]) => goal),
    length,
    options.maxSteps ?? 12,
    (observations, count) =>
      tf.tidy(() =>
        Int32Array.from(
          network.call(tf.tensor3d(observations, [count, 2, length])).action.dataSync(),
          Number,
        ),
      ),
  );
}
