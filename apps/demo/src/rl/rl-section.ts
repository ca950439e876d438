// The report's RL section (@tdhook/adapter-rl): a CartPole-v1 episode of the committed PPO policy as a strip
// of frames with the per-variable attribution of its action and value over time.
import { performance } from 'node:perf_hooks';

import type { ReportSection } from '../report/report-model.js';
import { fmt, type DemoContext } from '../vision/demo-context.js';
import { cartPoleEpisode, episodeSetup, type CartPoleEpisode } from './cartpole-episode.js';
import { loadCartPolePolicy } from './policies.js';
import { attributionFigure, attributionTable, framesFigure } from './rl-report.js';

function episodeParagraph(episode: CartPoleEpisode): string {
  const ending = episode.truncated ? 'reaching the 500-step limit (truncated)' : 'until the pole fell or the cart left the track';
  return `CartPole: the committed PPO actor-critic (two tanh layers of 64 for the actor and the critic) balanced the pole for ${String(episode.length)} steps from seed ${String(episode.seed)}, ${ending}, return ${String(episode.return)}. rollout(env, policy, { episodes: 1, workflow }) ran integrated gradients of both heads at every step (${String(episodeSetup.igSteps)} steps, the zero baseline) with the policy’s hooks installed once for the whole episode, and stacked the attributions over time with the observations, actions and values; the episode and its attributions took ${episode.seconds.toFixed(1)} s.`;
}

/** The RL section of the report. */
export async function rlSection(context: DemoContext): Promise<ReportSection> {
  const started = performance.now();
  const policy = loadCartPolePolicy();
  const { value: episode } = await context.timed('CartPole: one episode with integrated gradients at every step', () =>
    cartPoleEpisode(policy),
  );
  policy.dispose();
  context.log(
    `CartPole episode: ${String(episode.length)} steps, return ${String(episode.return)}; IG completeness gap ${fmt(episode.completenessGap.action)} (action), ${fmt(episode.completenessGap.value)} (value)`,
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    id: 'rl',
    title: 'Reinforcement learning: a CartPole policy explained over an episode',
    shortTitle: 'RL',
    paragraphs: [
      `@tdhook/adapter-rl runs Gymnasium-style environments (CartPole-v1, the original’s corridor) with TensorDict-native policies whose keys are their own, so every method applies to them unchanged; rollouts run a workflow at every step. This section took ${seconds.toFixed(1)} s.`,
      episodeParagraph(episode),
    ],
    figures: [framesFigure(context, episode), attributionFigure(episode, 'action'), attributionFigure(episode, 'value')],
    tables: [attributionTable(episode)],
  };
}
