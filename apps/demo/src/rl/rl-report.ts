// The RL section's figures and tables: the CartPole episode's frames, its per-variable attribution over time
// (one chart per head) and the mean share of each variable.
import type { Figure, Table } from '../report/report-model.js';
import { fmt, type DemoContext } from '../vision/demo-context.js';
import { lineChartSvg } from '../weights/line-chart-svg.js';
import { episodeSetup, type CartPoleEpisode } from './cartpole-episode.js';
import { frameStrip } from './frame-strip.js';
import { outcomesPicture, trajectoriesPicture } from './corridor-pictures.js';
import { steeringCoefficient, type CorridorSteering } from './corridor-steering.js';
import { probeSetup, probeTargets, type CartPoleProbes } from './cartpole-probes.js';

export const percent = (value: number, digits = 1): string => `${(100 * value).toFixed(digits)} %`;
const colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'] as const;

/** A tick step of 1, 2 or 5 × 10ⁿ that splits `[0, max]` into at most four steps. */
function niceStep(max: number): number {
  const power = 10 ** Math.floor(Math.log10(max / 4));
  return [1, 2, 5, 10].map((factor) => factor * power).find((step) => max / step <= 4) ?? 10 * power;
}

/** The episode's frames, two rows of six. */
export function framesFigure(context: DemoContext, episode: CartPoleEpisode): Figure {
  return context.png(
    'rl-cartpole-frames.png',
    frameStrip(episode),
    `CartPole-v1 (seed ${String(episode.seed)}), the committed PPO policy acting greedily: ${String(episode.frames.length)} of the episode’s ${String(episode.length)} steps, evenly spaced, each labelled with the action the policy took there. Rendered by the environment’s render() (Gymnasium’s layout at ${String(episodeSetup.frameWidth)} px: each frame spans the track, its edges are the ±2.4 limits).`,
  );
}

/** Steps the action chart shows: the policy alternates its push almost every step, and so does the sign of the chosen logit's attribution; over 500 steps the lines would merge into bands. */
export const actionChartSteps = 100;

/** IG of one head per observation variable over the episode (the action's over its first steps). */
export function attributionFigure(episode: CartPoleEpisode, head: 'action' | 'value'): Figure {
  const full = head === 'action' ? episode.actionAttribution : episode.valueAttribution;
  const shown = head === 'action' ? Math.min(actionChartSteps, episode.length) : episode.length;
  const attribution = full.slice(0, shown);
  const largest = Math.max(...attribution.flat().map(Math.abs), 1e-6);
  const step = niceStep(largest);
  const bound = Math.ceil(largest / step) * step;
  const what = head === 'action' ? 'the chosen action’s logit' : 'the value';
  const gap = head === 'action' ? episode.completenessGap.action : episode.completenessGap.value;
  const window =
    shown < episode.length
      ? ` Shown: the first ${String(shown)} steps; the policy alternates left and right pushes almost every step and the chosen logit’s attribution alternates with it (the table below averages all ${String(episode.length)} steps).`
      : '';
  return {
    kind: 'svg',
    svg: lineChartSvg({
      title: `Integrated gradients of ${what}, per observation variable`,
      xLabel: 'step of the episode',
      yLabel: 'attribution (zero baseline)',
      series: episode.names.map((name, index) => ({
        label: name,
        colour: colours[index % colours.length] ?? '#000',
        points: attribution.map((row, t) => [t, row[index] ?? Number.NaN] as const),
        dots: false,
      })),
      xRange: [0, shown],
      yRange: [-bound, bound],
      xStep: shown > 250 ? 50 : 10,
      yStep: step,
      formatX: (value) => String(value),
      formatY: (value) => fmt(value),
    }),
    caption: `Integrated gradients (${String(episodeSetup.igSteps)} Gauss–Legendre steps, baseline: the upright cart at rest, all zeros) of ${what} with respect to the four observation variables, at every step of the episode above: one call per step inside the rollout (integratedGradients with named targets { action: logits at argmax, value }, run by the rollout’s workflow; read per variable with attributionOverTime). Each step’s four attributions add up to ${what} minus its value at the baseline (largest gap over the episode ${gap.toExponential(1)}).${window}`,
  };
}

/** Mean |attribution| per variable and head, as a share of the head's total. */
export function attributionTable(episode: CartPoleEpisode): Table {
  const shares = (attribution: readonly (readonly number[])[]): number[] => {
    const means = episode.names.map(
      (_, index) => attribution.reduce((sum, row) => sum + Math.abs(row[index] ?? 0), 0) / attribution.length,
    );
    const total = means.reduce((sum, value) => sum + value, 0);
    return means.map((mean) => mean / total);
  };
  const action = shares(episode.actionAttribution);
  const value = shares(episode.valueAttribution);
  return {
    caption: `CartPole episode: mean |integrated gradients| per observation variable over ${String(episode.length)} steps, as a share of each head’s total`,
    header: ['variable', 'chosen logit', 'value'],
    rows: episode.names.map((name, index) => [
      name,
      percent(action[index] ?? Number.NaN),
      percent(value[index] ?? Number.NaN),
    ]),
  };
}

/** The corridor's space–time diagrams before and after steering. */
export function trajectoriesFigure(context: DemoContext, steering: CorridorSteering): Figure {
  return context.png(
    'rl-corridor-trajectories.png',
    trajectoriesPicture(steering),
    `Corridor (9 cells), the committed Q-network acting greedily from six start–goal pairs, before and with the steering vector added at features.2 (channel ${String(steering.channel)}): one row per step from the top (at most 12), the agent’s cell blue, the goal column tinted, the goal reached in green.`,
  );
}

/** Start × goal outcome grids of all 72 pairs, before and after steering. */
export function outcomesFigure(context: DemoContext, steering: CorridorSteering): Figure {
  return context.png(
    'rl-corridor-outcomes.png',
    outcomesPicture(steering),
    'All 72 start–goal pairs of the corridor’s evaluation panel (rows: start cell, columns: goal cell): green where the greedy agent reached the goal within 12 steps, red where it did not; the diagonal has no episode.',
  );
}

/** Success rate and walking direction before and after steering, by where the goal is. */
export function steeringTable(steering: CorridorSteering): Table {
  const byGoal = (name: 'baseline' | 'steered', side: 'left' | 'right'): string => {
    const rows = steering.pairs.flatMap(([agent, goal], row) =>
      goal < agent === (side === 'left') ? [row] : [],
    );
    const reached = rows.filter((row) => steering[name].success[row] === true).length;
    return `${String(reached)}/${String(rows.length)}`;
  };
  return {
    caption: `Corridor: closed-loop rollouts from the 72 start–goal pairs without and with the steering vector (${String(steeringCoefficient)} × the mean difference of channel ${String(steering.channel)} of features.2 between right- and left-goal states)`,
    header: ['condition', 'success rate', 'moves to the left', 'left goals reached', 'right goals reached'],
    rows: (['baseline', 'steered'] as const).map((name) => [
      name === 'baseline' ? 'before' : 'steered',
      percent(steering[name].successRate),
      percent(steering[name].leftFraction),
      byGoal(name, 'left'),
      byGoal(name, 'right'),
    ]),
  };
}

/** The probe scores per layer: one column per target, each `score (control)`. */
export function probeTable(probes: CartPoleProbes): Table {
  const layers = [...new Set(probes.rows.map((row) => row.layer))];
  const targets = Object.keys(probeTargets);
  const cell = (layer: string, target: string): string => {
    const row = probes.rows.find((candidate) => candidate.layer === layer && candidate.target === target);
    return row === undefined ? '' : `${row.score.toFixed(3)} (${row.control.toFixed(3)})`;
  };
  const metric = (target: string): string =>
    probes.rows.find((row) => row.target === target)?.metric === 'accuracy' ? 'accuracy' : 'R²';
  const width = (layer: string): string =>
    String(probes.rows.find((row) => row.layer === layer)?.features ?? '');
  return {
    caption: `CartPole policy: linear probes per layer on ${String(probes.samples)} steps of greedy rollouts (${String(probeSetup.environments)} environments × ${String(probeSetup.steps)} steps), ${String(probeSetup.folds)}-fold cross-validated (logistic regression for the action, ridge for the rest, standardized features); in brackets the same probe on shuffled labels (the control). “observation” is the baseline: the input itself.`,
    header: ['layer', 'width', ...targets.map((target) => `${target} ${metric(target)}`)],
    rows: layers.map((layer) => [layer, width(layer), ...targets.map((target) => cell(layer, target))]),
  };
}
