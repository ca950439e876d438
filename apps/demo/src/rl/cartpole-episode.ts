// One CartPole-v1 episode of the committed PPO policy, rolled out with an integrated-gradients workflow run at
// every step: the chosen action's logit and the value, each attributed to the four observation variables,
// stacked over time by the rollout. The episode is then replayed from the same seed with the recorded actions
// to render the frames (rendering is the environment's, not the rollout's job).
import { performance } from 'node:perf_hooks';

import * as tf from '@tensorflow/tfjs-core';
import { Workflow } from '@tdhook/core';
import { integratedGradients } from '@tdhook/attribution';
import {
  attributionOverTime,
  CartPole,
  episodeStats,
  rollout,
  type ActorCritic,
  type RgbaImage,
  type VariableSeries,
} from '@tdhook/adapter-rl';

/** What the section shows of the episode. */
export interface CartPoleEpisode {
  readonly seed: number;
  readonly length: number;
  readonly return: number;
  readonly truncated: boolean;
  /** The observation variables' names, in order. */
  readonly names: readonly string[];
  /** Per step: the observation (4 numbers), the action, the value. */
  readonly observations: readonly (readonly number[])[];
  readonly actions: readonly number[];
  readonly values: readonly number[];
  /** Per step and variable: IG of the chosen action's logit, and of the value. */
  readonly actionAttribution: readonly (readonly number[])[];
  readonly valueAttribution: readonly (readonly number[])[];
  /** IG's completeness check: the largest |Σ attributions − (f(x) − f(0))| over the episode, per head. */
  readonly completenessGap: { readonly action: number; readonly value: number };
  /** Frames at the steps in `frameSteps`, rendered `frameWidth` wide. */
  readonly frames: readonly RgbaImage[];
  readonly frameSteps: readonly number[];
  readonly seconds: number;
}

export const episodeSetup = { seed: 7, igSteps: 32, frames: 12, frameWidth: 168 } as const;

function rows(tensor: tf.Tensor): number[][] {
  return tensor.arraySync() as number[][];
}

/** The chosen logit and the value at the zero baseline (upright, centred, at rest), per step. */
function baselineOutputs(
  policy: ActorCritic,
  actions: readonly number[],
): { action: number[]; value: number[] } {
  return tf.tidy(() => {
    const out = policy.call(tf.zeros([1, 4]));
    const logits = out.logits.dataSync();
    const value = out.value.dataSync()[0] ?? Number.NaN;
    return { action: actions.map((action) => logits[action] ?? Number.NaN), value: actions.map(() => value) };
  });
}

/** Rolls out one greedy episode with IG at every step, and renders `frames` evenly spaced frames of it. */
export function cartPoleEpisode(policy: ActorCritic): CartPoleEpisode {
  const started = performance.now();
  const { seed, igSteps, frames, frameWidth } = episodeSetup;
  const env = new CartPole({ renderWidth: frameWidth });
  const targets = { action: { output: 'logits', select: 'argmax' }, value: { output: 'value' } } as const;
  const workflow = new Workflow([integratedGradients({ targets, baselines: 0, steps: igSteps })]);
  using trajectory = rollout(env, policy, { episodes: 1, workflow, seed });
  const stats = episodeStats(trajectory);
  const observations = rows(trajectory.getTensor('observation'));
  const actions = Array.from(trajectory.getTensor('action').dataSync());
  const values = Array.from(trajectory.getTensor('value').dataSync());
  const logits = rows(trajectory.getTensor('logits'));
  const names = env.observationSpace.names ?? [];
  // Per variable over time, as attributionOverTime reads them; turned into one row of four per step here.
  const perStep = (series: readonly VariableSeries[]): number[][] =>
    observations.map((_, t) => series.map((variable) => variable.values[t] ?? Number.NaN));
  const actionAttribution = perStep(attributionOverTime(trajectory, { target: 'action', names }));
  const valueAttribution = perStep(attributionOverTime(trajectory, { target: 'value', names }));
  const truncated = trajectory
    .getTensor('truncated')
    .dataSync()
    .some((flag) => flag === 1);

  const base = baselineOutputs(policy, actions);
  const sum = (row: readonly number[]): number => row.reduce((total, value) => total + value, 0);
  const gap = (
    attribution: readonly (readonly number[])[],
    output: (t: number) => number,
    at0: readonly number[],
  ): number =>
    Math.max(...attribution.map((row, t) => Math.abs(sum(row) - (output(t) - (at0[t] ?? Number.NaN)))));

  // Replay: the same seed and actions give the same states, bit for bit.
  const length = actions.length;
  const frameSteps = [
    ...new Set(
      Array.from({ length: frames }, (_, index) => Math.round((index * (length - 1)) / (frames - 1))),
    ),
  ];
  const pictures: RgbaImage[] = [];
  env.reset({ seed });
  for (let t = 0; t < length; t += 1) {
    if (frameSteps.includes(t)) pictures.push(env.render());
    if (t < length - 1) env.step(actions[t] ?? 0);
  }
  return {
    seed,
    length,
    return: stats.returns[0] ?? Number.NaN,
    truncated,
    names,
    observations,
    actions,
    values,
    actionAttribution,
    valueAttribution,
    completenessGap: {
      action: gap(actionAttribution, (t) => logits[t]?.[actions[t] ?? 0] ?? Number.NaN, base.action),
      value: gap(valueAttribution, (t) => values[t] ?? Number.NaN, base.value),
    },
    frames: pictures,
    frameSteps,
    seconds: (performance.now() - started) / 1000,
  };
}
