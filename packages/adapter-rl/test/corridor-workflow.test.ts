// The composable-policy workflow of the corridor tutorial (examples/corridor-workflow.ts) on the committed
// policy: its numbers, the LRP steps checked against the ε-rule written out by hand, hooks and errors.
import { readFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs-core';
import { namedModules, resolveModule, Workflow } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';
import { activationCaching } from '@tdhook/probing';
import type {} from '@tdhook/testing/vitest';
import { afterAll, describe, expect, it } from 'vitest';

import {
  corridorWorkflow,
  example,
  runCorridorWorkflow,
  steeringCoefficient,
} from '../examples/corridor-workflow.js';
import { channelSteeringVector, corridorPanel, policyRollouts, type QNetwork } from '../src/index.js';
import type { Linear } from '../src/modules/linear.js';
import { corridorPolicy } from '../src/pretrained/index.js';

const policy = corridorPolicy();
afterAll(() => {
  policy.dispose();
});

const hooksOnPolicy = (): number =>
  namedModules(policy).reduce(
    (total, [, node]) => total + Object.values(hookCounts(node)).reduce((a, b) => a + b, 0),
    0,
  );

/** z + ε·sign(z) with sign(0) = 1: the ε-rule's denominator (ε = 1e-6, lrp's default). */
const stabilized = (z: tf.Tensor): tf.Tensor =>
  tf.add(z, tf.mul(1e-6, tf.sub(tf.mul(2, tf.cast(tf.greaterEqual(z, 0), 'float32')), 1)));

/**
 * ε-LRP of the greedy action value written out by hand for the QNetwork, as zennit computes it (relevance 1
 * on the chosen output, `R_in = x ⊙ Wᵀ(R_out / (z + ε))` at each Linear, ReLUs passing relevance where they
 * pass gradient): the relevance at features.2's output, and the observation's relevance through channel
 * `channel` of it (times `direction`).
 */
function handLrp(
  network: QNetwork,
  observation: tf.Tensor,
  channel: number,
  direction: number,
): { layer: tf.Tensor; conditioned: tf.Tensor } {
  return tf.tidy(() => {
    const layer = (path: string): Linear => resolveModule(network, path) as Linear;
    const affine = (path: string, x: tf.Tensor): tf.Tensor =>
      tf.add(tf.matMul(x as tf.Tensor2D, layer(path).kernel as tf.Tensor2D), layer(path).bias as tf.Tensor);
    const epsilonRule = (
      path: string,
      input: tf.Tensor,
      output: tf.Tensor,
      relevance: tf.Tensor,
    ): tf.Tensor =>
      tf.mul(
        input,
        tf.matMul(
          tf.div<tf.Tensor2D>(relevance, stabilized(output)),
          layer(path).kernel as tf.Tensor2D,
          false,
          true,
        ),
      );
    const x = tf.reshape(observation, [-1, 18]);
    const z1 = affine('features.0', x);
    const z2 = affine('features.2', tf.relu(z1));
    const q = affine('policy_head', tf.relu(z2));
    const chosen = tf.oneHot(tf.argMax(q, -1), 2);
    const relevanceZ2 = epsilonRule('policy_head', tf.relu(z2), q, chosen);
    // Conditioned: only the channel's relevance (times the direction) flows on, through two more ε-rules.
    const relevanceH1 = epsilonRule(
      'features.2',
      tf.relu(z1),
      z2,
      tf.mul(relevanceZ2, tf.mul(tf.oneHot([channel], 8), direction)),
    );
    const relevanceX = epsilonRule('features.0', x, z1, relevanceH1);
    return { layer: relevanceZ2, conditioned: tf.reshape(relevanceX, observation.shape) };
  });
}

describe('the corridor workflow (examples/corridor-workflow.ts)', () => {
  it('selects a left-goal channel, and steering it makes the agent walk right where the goal is on the left', () => {
    const summary = example();
    expect(summary.modelPasses).toBe(1 + 1 + 1 + 1 + 24); // lrp, lrp, caching, rollouts (1 + 2 · 12)
    // The selection (RelMax, direction 'negative': right-goal mean |R| minus left-goal mean |R|, argmin).
    expect(summary.selectedChannel).toBe(3);
    expect(summary.selectionScore).toBeCloseTo(-0.18476, 3);
    expect(summary.scores[7]).toBeCloseTo(0.23414, 3); // the most right-associated channel
    expect(Math.min(...summary.scores)).toBe(summary.selectionScore);
    // The channel's activations: high on left-goal states, low on right-goal states.
    expect(summary.leftGoalMean).toBeCloseTo(0.68465, 3);
    expect(summary.rightGoalMean).toBeCloseTo(0.11522, 3);
    expect(summary.steeringValue).toBeCloseTo(steeringCoefficient * (0.11522 - 0.68465), 3);
    // Its input relevance (left-goal states, mean |R| per plane) comes mostly from the goal plane.
    expect(summary.conditionedRelevance[0]).toBeCloseTo(0.004113, 4);
    expect(summary.conditionedRelevance[1]).toBeCloseTo(0.012788, 4);
    // Closed loop from all 72 pairs: before, every pair succeeds with as many left as right moves.
    expect(summary.baseline).toEqual({ successRate: 1, leftFraction: 0.5 });
    expect(summary.steered.successRate).toBeCloseTo(46 / 72, 6);
    expect(summary.steered.leftFraction).toBeCloseTo(0.12389, 4);
    // Open loop: 23 of the 36 left-goal start states now step right; no right-goal state changes.
    expect(summary.flipsOnLeftGoalStates).toBe(23);
    expect(summary.flipsOnRightGoalStates).toBe(0);
    // The tutorial's paths: the left-goal walk turns into a walk to the right wall; the right-goal one is kept.
    expect(summary.leftGoalPaths.baseline).toEqual([6, 5, 4, 3, 2, 1]);
    expect(summary.leftGoalPaths.steered).toEqual([6, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8]);
    expect(summary.rightGoalPaths).toEqual({ baseline: [2, 3, 4, 5, 6, 7], steered: [2, 3, 4, 5, 6, 7] });
    // Specificity: the same steering on each channel in turn; the selected one changes the most decisions.
    expect(summary.controls.map((control) => control.flipsOnLeftGoalStates)).toEqual([
      0, 0, 0, 23, 0, 4, 11, 1,
    ]);
    expect(summary.controls.map((control) => control.flipsOnRightGoalStates)).toEqual([
      0, 0, 2, 0, 0, 0, 0, 0,
    ]);
    expect(summary.controls[3]?.successRate).toBeCloseTo(summary.steered.successRate, 6);
    expect(hooksOnPolicy()).toBe(0);
  });

  it('computes the relevances of the ε-rule written out by hand', () => {
    using panel = corridorPanel();
    using result = corridorWorkflow().run(policy, panel).data;
    const hand = handLrp(policy, panel.getTensor('observation'), 3, -1);
    try {
      expect(result.getTensor(['concept_examples', 'features.2'])).toBeCloseToTensor(hand.layer, {
        rtol: 1e-4,
        atol: 1e-6,
      });
      expect(result.getTensor(['conditioned', 'observation'])).toBeCloseToTensor(hand.conditioned, {
        rtol: 1e-4,
        atol: 1e-6,
      });
      // RelMax on the hand relevance: right-goal mean |R| − left-goal mean |R| per channel.
      const scores = tf.tidy(() => {
        const right = tf.cast(panel.getTensor('concept_labels'), 'float32');
        const magnitude = tf.abs(hand.layer);
        const mean = (weights: tf.Tensor): tf.Tensor =>
          tf.div(tf.sum(tf.mul(magnitude, tf.expandDims(weights, 1)), 0), tf.sum(weights));
        return Array.from(tf.sub(mean(right), mean(tf.sub(1, right))).dataSync());
      });
      const selected = Array.from(
        result.getTensor(['metrics', 'concept_selection', 'scores']).dataSync().slice(0, 8),
      );
      selected.forEach((score, channel) => {
        expect(score).toBeCloseTo(scores[channel] ?? NaN, 5);
      });
    } finally {
      tf.dispose([hand.layer, hand.conditioned]);
    }
    // The panel is left as it was.
    expect(panel.keys().map((key) => key.join('.'))).toEqual([
      'observation',
      'target_action',
      'concept_labels',
      'agent',
      'goal',
    ]);
  });

  it('restores every hook when a step fails part way, and leaves no partial result', () => {
    // A vector from features.0 (16 channels) cannot be added to features.2 (8): the rollouts fail in the hook.
    const workflow = new Workflow([
      ...corridorWorkflow().steps.slice(0, 3),
      activationCaching({ select: ['features.0'] }),
      channelSteeringVector({ activationsKey: ['cache', 'features.0'] }),
      policyRollouts({ module: 'features.2' }),
    ]);
    using panel = corridorPanel();
    expect(() => workflow.run(policy, panel)).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /has 16 channels; features.2 has 8/,
    );
    expect(hooksOnPolicy()).toBe(0);
    // The same policy then runs the whole workflow as before.
    expect(runCorridorWorkflow(policy).selectedChannel).toBe(3);
  });
});

describe('docs/corridor-workflow.md', () => {
  const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');
  const withoutLayout = (code: string): string => code.replace(/\s+/g, '').replace(/,(?=[)\]}])/g, '');
  const guide = read('../docs/corridor-workflow.md');
  const example = withoutLayout(read('../examples/corridor-workflow.ts'));
  const snippets = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');

  it('quotes examples/corridor-workflow.ts (compiled by the type check, run above), without `using`', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(1);
    for (const snippet of snippets) {
      expect(snippet).not.toMatch(/^\s*using\s/m);
      expect(example).toContain(withoutLayout(snippet));
    }
  });

  it('reports the numbers the example measures', () => {
    for (const number of ['46/72', '23 of the 36', '−0.185', '0.685', '0.115', '0.124'])
      expect(guide).toContain(number);
  });
});
