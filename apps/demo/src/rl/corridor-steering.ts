// The corridor tutorial's composable-policy workflow on the committed Q-network, as ONE Workflow (the steps
// of packages/adapter-rl/examples/corridor-workflow.ts): LRP of the chosen action value at features.2 →
// the channel most associated with left-goal states → that channel's relevance traced to the observation →
// a steering vector on it → closed-loop rollouts from all 72 start–goal pairs, without and with the vector.
import { performance } from 'node:perf_hooks';

import { Workflow, type Key, type TensorDict } from '@tdhook/core';
import { conceptSelection, lrp, selectedChannelGradient } from '@tdhook/attribution';
import { activationCaching } from '@tdhook/probing';
import { channelSteeringVector, corridorPanel, policyRollouts, type QNetwork } from '@tdhook/adapter-rl';

/** Twice the mean difference, as the example: drives the channel below zero on most left-goal states. */
export const steeringCoefficient = 2;

/** One condition's closed-loop rollouts from the 72 pairs. */
export interface CorridorCondition {
  readonly successRate: number;
  /** Share of all moves that went left. */
  readonly leftFraction: number;
  /** Per pair: the cells visited (start included, up to the last move) and whether it reached the goal. */
  readonly paths: readonly (readonly number[])[];
  readonly success: readonly boolean[];
}

/** What the section shows of the corridor workflow. */
export interface CorridorSteering {
  readonly pairs: readonly (readonly [agent: number, goal: number])[];
  readonly modelPasses: number;
  readonly channel: number;
  readonly steeringValue: number;
  readonly baseline: CorridorCondition;
  readonly steered: CorridorCondition;
  readonly seconds: number;
}

const chosenActionValue = { output: 'action_value', select: 'argmax' } as const;

function corridorWorkflow(): Workflow {
  return new Workflow([
    lrp({
      composite: 'epsilon',
      target: chosenActionValue,
      modules: ['features.2'],
      inputs: [],
      attributionKey: 'concept_examples',
    }),
    conceptSelection({
      relevanceKey: ['concept_examples', 'features.2'],
      labelsKey: 'concept_labels',
      direction: 'negative',
    }),
    lrp({
      composite: 'epsilon',
      target: chosenActionValue,
      attributionKey: 'conditioned',
      outputGradients: { 'features.2': selectedChannelGradient() },
    }),
    activationCaching({ select: ['features.2'] }),
    channelSteeringVector({ activationsKey: ['cache', 'features.2'], coefficient: steeringCoefficient }),
    policyRollouts({ module: 'features.2' }),
  ]);
}

function numbers(result: TensorDict, key: Key): number[] {
  return Array.from(result.getTensor(key).dataSync());
}

function condition(result: TensorDict, name: 'baseline' | 'steered'): CorridorCondition {
  const paths = result.getTensor(['rollouts', name, 'path']).arraySync() as number[][];
  const steps = numbers(result, ['rollouts', name, 'steps']);
  return {
    successRate: numbers(result, ['rollouts', name, 'success_rate'])[0] ?? Number.NaN,
    leftFraction: numbers(result, ['rollouts', name, 'left_fraction'])[0] ?? Number.NaN,
    // A path repeats its last cell after the episode ends: keep the cells up to the last move.
    paths: paths.map((path, row) => path.slice(0, (steps[row] ?? 0) + 1)),
    success: numbers(result, ['rollouts', name, 'success']).map((flag) => flag === 1),
  };
}

/** Runs the workflow on the 72-pair panel. */
export function corridorSteering(policy: QNetwork): CorridorSteering {
  const started = performance.now();
  using panel = corridorPanel();
  const { data, plan } = corridorWorkflow().run(policy, panel);
  using result = data;
  const channel = numbers(result, ['metrics', 'concept_selection', 'channel'])[0] ?? 0;
  const agents = numbers(result, 'agent');
  const goals = numbers(result, 'goal');
  return {
    pairs: agents.map((agent, row) => [agent, goals[row] ?? 0] as const),
    modelPasses: plan.modelPasses,
    channel,
    steeringValue: numbers(result, ['steering', 'vector'])[channel] ?? Number.NaN,
    baseline: condition(result, 'baseline'),
    steered: condition(result, 'steered'),
    seconds: (performance.now() - started) / 1000,
  };
}
