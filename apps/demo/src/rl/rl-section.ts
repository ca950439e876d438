// The report's RL section (@tdhook/adapter-rl): a CartPole-v1 episode of the committed PPO policy as a strip
// of frames with the per-variable attribution of its action and value over time, and the corridor's
// composable-policy workflow (LRP → concept selection → steering → rollouts) before and after steering.
import { performance } from 'node:perf_hooks';

import { cartPolePpoArchitecture, cartPolePpoTraining } from '@tdhook/adapter-rl/pretrained';

import type { ReportSection } from '../report/report-model.js';
import { fmt, type DemoContext } from '../vision/demo-context.js';
import { cartPoleEpisode, episodeSetup, type CartPoleEpisode } from './cartpole-episode.js';
import { corridorSteering, steeringCoefficient, type CorridorSteering } from './corridor-steering.js';
import { cartPoleProbes, type CartPoleProbes } from './cartpole-probes.js';
import { loadCartPolePolicy, loadCorridorPolicy } from './policies.js';
import {
  attributionFigure,
  attributionTable,
  framesFigure,
  outcomesFigure,
  percent,
  probeTable,
  steeringTable,
  trajectoriesFigure,
} from './rl-report.js';

function episodeParagraph(episode: CartPoleEpisode): string {
  const ending = episode.truncated
    ? 'reaching the 500-step limit (truncated)'
    : 'until the pole fell or the cart left the track';
  const { hidden, activation } = cartPolePpoArchitecture;
  const { updates, envSteps, evaluation } = cartPolePpoTraining;
  return `CartPole: the committed actor-critic (${hidden.join(' and ')} ${activation} units for the actor and for the critic; trained here by PPO, ${String(updates)} updates on ${envSteps.toLocaleString('en')} environment steps, greedy mean return ${String(evaluation.meanReturn)} over ${String(evaluation.episodes)} seeded episodes) balanced the pole for ${String(episode.length)} steps from seed ${String(episode.seed)}, ${ending}, return ${String(episode.return)}. rollout(env, policy, { episodes: 1, workflow }) ran integrated gradients of both heads at every step (${String(episodeSetup.igSteps)} steps, the zero baseline) with the policy’s hooks installed once for the whole episode, and stacked the attributions over time with the observations, actions and values; the episode and its attributions took ${episode.seconds.toFixed(1)} s.`;
}

/** The probe score of `target` at `layer`, or NaN. */
function score(probes: CartPoleProbes, layer: string, target: string): number {
  return probes.rows.find((row) => row.layer === layer && row.target === target)?.score ?? Number.NaN;
}

function probeParagraph(probes: CartPoleProbes): string {
  const layers = [...new Set(probes.rows.map((row) => row.layer))];
  const best = (target: string): string => {
    const ranked = [...layers].sort((a, b) => score(probes, b, target) - score(probes, a, target));
    const top = ranked[0] ?? '';
    return `${target} best from ${top} (${score(probes, top, target).toFixed(3)})`;
  };
  const controls = probes.rows.map((row) => row.control);
  return `Probes: probePolicy (@tdhook/adapter-rl/probes) cached every layer of the actor and the critic on greedy rollouts of the policy and fitted linear probes per layer and target, cross-validated, each beside the same probe on shuffled labels (${probes.seconds.toFixed(1)} s). ${['action', 'value', 'pole_angle', 'cart_velocity'].map(best).join('; ')}. The controls stay between ${Math.min(...controls).toFixed(3)} and ${Math.max(...controls).toFixed(3)}.`;
}

function steeringParagraph(steering: CorridorSteering): string {
  const { baseline, steered } = steering;
  return `Corridor: the committed Q-network (18 → 16 → 8 → 2, fitted Q-iteration) reaches the goal from ${percent(baseline.successRate)} of the 72 start–goal pairs. One Workflow (${String(steering.modelPasses)} model passes, ${(1000 * steering.seconds).toFixed(0)} ms) ran the tutorial’s composable pipeline: LRP of the chosen action value down to features.2, conceptSelection of the channel whose relevance is most associated with left-goal states (channel ${String(steering.channel)}), LRP conditioned on that channel back to the observation, a steering vector on it (${fmt(steering.steeringValue)}, ${String(steeringCoefficient)} × the difference of its mean activation on right- and left-goal states) and closed-loop rollouts from all 72 pairs with and without the vector added at features.2. Steered, the agent reaches the goal from ${percent(steered.successRate)} of the pairs, and ${percent(steered.leftFraction)} of its moves go left (before: ${percent(baseline.leftFraction)}).`;
}

/** The RL section of the report. */
export async function rlSection(context: DemoContext): Promise<ReportSection> {
  const started = performance.now();
  const policy = loadCartPolePolicy();
  const { value: episode } = await context.timed(
    'CartPole: one episode with integrated gradients at every step',
    () => cartPoleEpisode(policy),
  );
  const { value: probes } = await context.timed(
    'CartPole: probes per layer (action, value, pole angle, cart velocity)',
    () => cartPoleProbes(policy),
  );
  policy.dispose();
  const qNetwork = loadCorridorPolicy();
  const { value: steering } = await context.timed(
    'Corridor: LRP → concept selection → steering → rollouts, one workflow',
    () => corridorSteering(qNetwork),
  );
  qNetwork.dispose();
  context.log(
    `Corridor steering: success ${percent(steering.baseline.successRate)} → ${percent(steering.steered.successRate)}, moves to the left ${percent(steering.baseline.leftFraction)} → ${percent(steering.steered.leftFraction)}`,
  );
  context.log(
    `CartPole episode: ${String(episode.length)} steps, return ${String(episode.return)}; IG completeness gap ${episode.completenessGap.action.toExponential(1)} (action), ${episode.completenessGap.value.toExponential(1)} (value)`,
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    id: 'rl',
    title: 'Reinforcement learning: a CartPole policy over an episode, probes, and a steered corridor agent',
    shortTitle: 'RL',
    paragraphs: [
      `@tdhook/adapter-rl runs Gymnasium-style environments (CartPole-v1, the original’s corridor) with TensorDict-native policies whose keys are their own, so every method applies to them unchanged; rollouts run a workflow at every step. This section took ${seconds.toFixed(1)} s.`,
      episodeParagraph(episode),
      probeParagraph(probes),
      steeringParagraph(steering),
    ],
    figures: [
      framesFigure(context, episode),
      attributionFigure(episode, 'action'),
      attributionFigure(episode, 'value'),
      trajectoriesFigure(context, steering),
      outcomesFigure(context, steering),
    ],
    tables: [attributionTable(episode), probeTable(probes), steeringTable(steering)],
  };
}
