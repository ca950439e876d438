// The composable-policy workflow of the corridor tutorial as ONE workflow on the committed Q-network: LRP of
// the chosen action value down to features.2 → the channel most associated with LEFT-goal states → that
// channel's relevance traced back to the observation → a steering vector on it from cached activations →
// closed-loop rollouts from all 72 start–goal pairs, with and without the steering.
// docs/corridor-workflow.md quotes the part from here to the end of corridorWorkflow().
import { Workflow } from '@tdhook/core';
import { conceptSelection, lrp, selectedChannelGradient } from '@tdhook/attribution';
import { activationCaching } from '@tdhook/probing';
import { channelSteeringVector, policyRollouts } from '@tdhook/adapter-rl';

/** The chosen action (the greedy one) of the Q-network, whose value LRP explains. */
const chosenActionValue = { output: 'action_value', select: 'argmax' } as const;

/**
 * The steering coefficient: twice the mean difference drives the selected channel of most left-goal states
 * below zero, where the ReLU after features.2 silences it (a larger one changes nothing more).
 */
export const steeringCoefficient = 2;

export function corridorWorkflow(): Workflow {
  return new Workflow([
    // 1. Relevance of the chosen action value at the second Linear (no input relevance needed here).
    lrp({
      composite: 'epsilon',
      target: chosenActionValue,
      modules: ['features.2'],
      inputs: [],
      attributionKey: 'concept_examples',
    }),
    // 2. The channel whose relevance is most associated with left-goal states (concept label 0).
    conceptSelection({
      relevanceKey: ['concept_examples', 'features.2'],
      labelsKey: 'concept_labels',
      direction: 'negative',
    }),
    // 3. The relevance of the observation that flows through the selected channel only.
    lrp({
      composite: 'epsilon',
      target: chosenActionValue,
      attributionKey: 'conditioned',
      outputGradients: { 'features.2': selectedChannelGradient() },
    }),
    // 4. features.2's activations, for the steering vector.
    activationCaching({ select: ['features.2'] }),
    // 5. On the selected channel: (right-goal mean − left-goal mean) × the coefficient, zero elsewhere.
    channelSteeringVector({ activationsKey: ['cache', 'features.2'], coefficient: steeringCoefficient }),
    // 6. Rollouts from every start-goal pair of the panel, as they are and with the vector added at features.2.
    policyRollouts({ module: 'features.2' }),
  ]);
}

// Running it on the committed policy and reading the numbers the tutorial reports.
import * as tf from '@tensorflow/tfjs-core';
import type { Key, TensorDict } from '@tdhook/core';
import { corridorPanel, type QNetwork } from '@tdhook/adapter-rl';
import { corridorPolicy } from '@tdhook/adapter-rl/pretrained';

export interface CorridorWorkflowSummary {
  readonly modelPasses: number;
  readonly selectedChannel: number;
  readonly selectionScore: number;
  readonly scores: number[];
  /** The selected channel's mean activation on left- and right-goal states, and the steering value added. */
  readonly leftGoalMean: number;
  readonly rightGoalMean: number;
  readonly steeringValue: number;
  /** Mean |conditioned relevance| on left-goal states, per plane: [agent plane, goal plane]. */
  readonly conditionedRelevance: [number, number];
  readonly baseline: { readonly successRate: number; readonly leftFraction: number };
  readonly steered: { readonly successRate: number; readonly leftFraction: number };
  /** Open loop: start states whose greedy action the steering changes, by where the goal is. */
  readonly flipsOnLeftGoalStates: number;
  readonly flipsOnRightGoalStates: number;
  /** Paths from 6 to the goal at 1 and from 2 to the goal at 7, before and after steering. */
  readonly leftGoalPaths: { readonly baseline: number[]; readonly steered: number[] };
  readonly rightGoalPaths: { readonly baseline: number[]; readonly steered: number[] };
  /** Specificity: the same steering (coefficient × mean difference) on each channel of features.2 in turn. */
  readonly controls: readonly ChannelControl[];
}

export interface ChannelControl {
  readonly channel: number;
  readonly flipsOnLeftGoalStates: number;
  readonly flipsOnRightGoalStates: number;
  readonly successRate: number;
}

/** Start states whose first greedy action the steering changed, by where the goal is. */
function openLoopFlips(result: TensorDict): { left: number; right: number } {
  const right = result.getTensor('concept_labels').dataSync();
  const before = result.getTensor(['rollouts', 'baseline', 'first_action']).dataSync();
  const after = result.getTensor(['rollouts', 'steered', 'first_action']).dataSync();
  const flips = { left: 0, right: 0 };
  before.forEach((action, row) => {
    if (action !== after[row]) flips[right[row] === 1 ? 'right' : 'left'] += 1;
  });
  return flips;
}

/** Matched controls: the steering of every channel in turn, rolled out by the same method. */
function channelControls(policy: QNetwork, panel: TensorDict, result: TensorDict): ChannelControl[] {
  const towards = result.getTensor(['steering', 'towards_mean']).dataSync();
  const away = result.getTensor(['steering', 'away_mean']).dataSync();
  const channels = result.getTensor(['steering', 'vector']).shape[1] ?? 0;
  const prepared = policyRollouts({ module: 'features.2' }).prepare(policy);
  try {
    return Array.from({ length: channels }, (_, channel) => {
      const vector = new Float32Array(channels);
      vector[channel] = steeringCoefficient * ((towards[channel] ?? 0) - (away[channel] ?? 0));
      const data = panel.clone();
      try {
        data.set(
          ['steering', 'vector'],
          tf.tidy(() => tf.broadcastTo(tf.tensor1d(vector), [...panel.batchShape, channels])),
        );
        const controlled = prepared.run(data);
        try {
          const flips = openLoopFlips(controlled);
          return {
            channel,
            flipsOnLeftGoalStates: flips.left,
            flipsOnRightGoalStates: flips.right,
            successRate: first(controlled, ['rollouts', 'steered', 'success_rate']),
          };
        } finally {
          controlled.dispose();
        }
      } finally {
        data.dispose();
      }
    });
  } finally {
    prepared.restore();
  }
}

const first = (result: TensorDict, key: Key): number => result.getTensor(key).dataSync()[0] ?? NaN;

function pathOf(result: TensorDict, condition: string, agent: number, goal: number): number[] {
  const agents = result.getTensor('agent').dataSync();
  const goals = result.getTensor('goal').dataSync();
  const row = agents.findIndex((cell, index) => cell === agent && goals[index] === goal);
  const path =
    Array.from(result.getTensor(['rollouts', condition, 'path']).arraySync() as number[][])[row] ?? [];
  // The path repeats its last cell after the end: keep the cells up to the last move.
  const steps = result.getTensor(['rollouts', condition, 'steps']).dataSync()[row] ?? 0;
  return path.slice(0, steps + 1);
}

export function runCorridorWorkflow(policy: QNetwork): CorridorWorkflowSummary {
  const panel = corridorPanel();
  try {
    const { data: result, plan } = corridorWorkflow().run(policy, panel);
    try {
      const channel = first(result, ['metrics', 'concept_selection', 'channel']);
      const right = result.getTensor('concept_labels').dataSync();
      const flips = openLoopFlips(result);
      const relevance = tf.tidy(() => {
        const leftRows = tf.tensor1d(
          Array.from(right).flatMap((label, row) => (label === 0 ? [row] : [])),
          'int32',
        );
        const conditioned = tf.gather(result.getTensor(['conditioned', 'observation']), leftRows);
        return Array.from(tf.mean(tf.abs(conditioned), [0, 2]).dataSync());
      });
      const rate = (condition: 'baseline' | 'steered') => ({
        successRate: first(result, ['rollouts', condition, 'success_rate']),
        leftFraction: first(result, ['rollouts', condition, 'left_fraction']),
      });
      return {
        modelPasses: plan.modelPasses,
        selectedChannel: channel,
        selectionScore: first(result, ['metrics', 'concept_selection', 'score']),
        scores: Array.from(
          result.getTensor(['metrics', 'concept_selection', 'scores']).dataSync().slice(0, 8),
        ),
        leftGoalMean: result.getTensor(['steering', 'away_mean']).dataSync()[channel] ?? NaN,
        rightGoalMean: result.getTensor(['steering', 'towards_mean']).dataSync()[channel] ?? NaN,
        steeringValue: result.getTensor(['steering', 'vector']).dataSync()[channel] ?? NaN,
        conditionedRelevance: [relevance[0] ?? NaN, relevance[1] ?? NaN],
        baseline: rate('baseline'),
        steered: rate('steered'),
        flipsOnLeftGoalStates: flips.left,
        flipsOnRightGoalStates: flips.right,
        leftGoalPaths: {
          baseline: pathOf(result, 'baseline', 6, 1),
          steered: pathOf(result, 'steered', 6, 1),
        },
        rightGoalPaths: {
          baseline: pathOf(result, 'baseline', 2, 7),
          steered: pathOf(result, 'steered', 2, 7),
        },
        controls: channelControls(policy, panel, result),
      };
    } finally {
      result.dispose();
    }
  } finally {
    panel.dispose();
  }
}

export function example(): CorridorWorkflowSummary {
  const policy = corridorPolicy();
  try {
    return runCorridorWorkflow(policy);
  } finally {
    policy.dispose();
  }
}
