// The gpt2-tiny conformance table: every reference item, its max abs error on the current backend, and the
// tolerance it must meet (the fixture README's: forward and hook values atol 1e-5; patching metrics and AtP
// atol 1e-5; gradients and IG 1e-4 × the tensor's max + 1e-6). Prints the table as markdown and writes it to
// .test-results/gpt2-tiny-conformance.<backend>.md; docs/model.md holds the wasm and cpu tables.
import { mkdirSync, writeFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, inject, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { HookSession, registerHook } from '@tdhook/core';

import {
  flat,
  gradientTolerance,
  lastLogits,
  logitDifference,
  reference,
  tokensOf,
  useTinyModel,
  type Spec,
} from './model-fixture.js';

const model = useTinyModel();

interface Row {
  readonly item: string;
  readonly maxAbsError: number;
  readonly allowed: number;
}

const rows: Row[] = [];

function maxAbsError(actual: ArrayLike<number>, expectedValues: ArrayLike<number>): number {
  expect(actual.length).toBe(expectedValues.length);
  let worst = 0;
  for (let index = 0; index < actual.length; index++) {
    const a = actual[index] ?? Number.NaN;
    const b = expectedValues[index] ?? Number.NaN;
    const error = a === b ? 0 : Math.abs(a - b); // −∞ = −∞ counts as exact
    worst = Math.max(worst, Number.isNaN(error) ? Number.POSITIVE_INFINITY : error);
  }
  return worst;
}

function record(
  item: string,
  actual: tf.Tensor | ArrayLike<number>,
  spec: Spec | ArrayLike<number>,
  allowed: number,
): void {
  const values = actual instanceof tf.Tensor ? actual.dataSync() : actual;
  const expectedValues = 'shape' in spec ? flat(spec) : spec;
  rows.push({ item, maxAbsError: maxAbsError(values, expectedValues), allowed });
}

const forwardTolerance = 1e-5;
const gradientAllowed = (spec: Spec): number => gradientTolerance(spec).atol;

describe('gpt2-tiny conformance table', () => {
  const ref = reference();

  it('forward: logits and last-position log-softmax', () => {
    const tokens = tokensOf(ref.inputs.tokens.data);
    const logits = model().call(tokens);
    record('forward.logits [3,12,96]', logits, ref.forward.logits, forwardTolerance);
    const logSoftmax = tf.tidy(() =>
      tf.logSoftmax(tf.squeeze(tf.slice(logits, [0, 11, 0], [3, 1, 96]), [1])),
    );
    record(
      'forward.last_position_log_softmax [3,96]',
      logSoftmax,
      ref.forward.last_position_log_softmax,
      forwardTolerance,
    );
    tf.dispose([tokens, logits, logSoftmax]);
  });

  it('activations: all 33 hook points of sequence 0', () => {
    const tokens = tokensOf(ref.activations.tokens);
    const { logits, cache } = model().runWithCache(tokens, { names: ref.activations.hook_names });
    for (const name of ref.activations.hook_names) {
      const spec = ref.activations.hooks[name] as Spec;
      record(`activations.${name} [${spec.shape.join(',')}]`, cache.getTensor(name), spec, forwardTolerance);
    }
    tf.dispose([tokens, logits]);
    cache.dispose();
  });

  it('gradients: ∂metric/∂hook_embed (clean prompt) and ∂logit/∂hook_embed (batch), with input × gradient', () => {
    const cases = [
      ['gradients.clean_metric', ref.gradients.clean_metric, logitDifference],
      [
        'gradients.batch_target_logit',
        ref.gradients.batch_target_logit,
        (out: tf.Tensor): tf.Scalar => tf.sum(lastLogits(out, ref.gradients.batch_target_logit.target)),
      ],
    ] as const;
    for (const [label, item, metric] of cases) {
      const tokens = tokensOf(item.ids);
      const { logits, cache } = model().runWithCache(tokens, { names: ['hook_embed'], backward: { metric } });
      const gradient = cache.getTensor(['grad', 'hook_embed']);
      record(`${label}.gradient`, gradient, item.gradient, gradientAllowed(item.gradient));
      const perToken = tf.tidy(() => tf.sum(tf.mul(cache.getTensor('hook_embed'), gradient), -1));
      record(
        `${label}.input_x_gradient_per_token`,
        perToken,
        item.input_x_gradient_per_token,
        gradientAllowed(item.input_x_gradient_per_token),
      );
      tf.dispose([tokens, logits, perToken]);
      cache.dispose();
    }
  });

  it('activation patching: baselines and the head / residual grids', () => {
    const patching = ref.activation_patching;
    const clean = tokensOf(ref.patching_inputs.clean);
    const corrupted = tokensOf(ref.patching_inputs.corrupted);
    const metricOf = (run: () => tf.Tensor): number =>
      tf.tidy(() => logitDifference(run()).dataSync()[0] ?? Number.NaN);
    record(
      'activation_patching.clean_metric',
      [metricOf(() => model().call(clean))],
      [patching.clean_metric],
      forwardTolerance,
    );
    record(
      'activation_patching.corrupted_metric',
      [metricOf(() => model().call(corrupted))],
      [patching.corrupted_metric],
      forwardTolerance,
    );
    const { logits, cache } = model().runWithCache(clean, { names: /attn\.hook_z$|hook_resid_pre$/ });
    const patched = (patch: (session: HookSession) => void): number => {
      const session = new HookSession(model());
      try {
        patch(session);
        const ran = session.run(() => metricOf(() => model().call(corrupted)));
        return ran.stopped ? Number.NaN : ran.value;
      } finally {
        session.close();
      }
    };
    const grid = (
      hook: string,
      count: number,
      axis: number,
      sizes: (index: number) => [number[], number[]],
    ): number[] =>
      [0, 1].flatMap((layer) =>
        Array.from({ length: count }, (_, index) => {
          const path = `blocks.${layer}.${hook}`;
          const [begin, size] = sizes(index);
          const value = tf.slice(cache.getTensor(path), begin, size);
          const metric = patched((session) => {
            session.replace({ path, featureAxis: axis, indices: [index] }, value);
          });
          value.dispose();
          return metric - patching.corrupted_metric;
        }),
      );
    const heads = grid('attn.hook_z', 4, 2, (head) => [
      [0, 0, head, 0],
      [1, 12, 1, 16],
    ]);
    record('activation_patching.head_z.effect [2,4]', heads, patching.head_z.effect, forwardTolerance);
    const resid = grid('hook_resid_pre', 12, 1, (position) => [
      [0, position, 0],
      [1, 1, 64],
    ]);
    record('activation_patching.resid_pre.effect [2,12]', resid, patching.resid_pre.effect, forwardTolerance);
    const all = patched((session) => {
      for (const layer of [0, 1])
        session.replace(`blocks.${layer}.attn.hook_z`, cache.getTensor(`blocks.${layer}.attn.hook_z`));
    });
    record(
      'activation_patching.head_z.all_heads_all_layers_patched_metric',
      [all],
      [patching.clean_metric],
      forwardTolerance,
    );
    tf.dispose([clean, corrupted, logits]);
    cache.dispose();
  });

  it('attribution patching: hook_z gradients on the corrupted run and the AtP grids', () => {
    const clean = tokensOf(ref.patching_inputs.clean);
    const corrupted = tokensOf(ref.patching_inputs.corrupted);
    const names = /attn\.hook_z$|hook_resid_pre$/;
    const cleanRun = model().runWithCache(clean, { names });
    const corruptRun = model().runWithCache(corrupted, { names, backward: { metric: logitDifference } });
    for (const [name, spec] of Object.entries(ref.attribution_patching.gradients_on_corrupted_run)) {
      record(
        `attribution_patching.gradients_on_corrupted_run.${name}`,
        corruptRun.cache.getTensor(['grad', name]),
        spec,
        gradientAllowed(spec),
      );
    }
    const atp = (name: string, axes: number[]): tf.Tensor =>
      tf.tidy(() => {
        const delta = tf.sub(cleanRun.cache.getTensor(name), corruptRun.cache.getTensor(name));
        return tf.sum(tf.mul(delta, corruptRun.cache.getTensor(['grad', name])), axes);
      });
    const headGrid = tf.tidy(() =>
      tf.stack([0, 1].map((layer) => atp(`blocks.${layer}.attn.hook_z`, [0, 1, 3]))),
    );
    const residGrid = tf.tidy(() =>
      tf.stack([0, 1].map((layer) => atp(`blocks.${layer}.hook_resid_pre`, [0, 2]))),
    );
    record(
      'attribution_patching.head_z.atp [2,4]',
      headGrid,
      ref.attribution_patching.head_z.atp,
      forwardTolerance,
    );
    record(
      'attribution_patching.resid_pre.atp [2,12]',
      residGrid,
      ref.attribution_patching.resid_pre.atp,
      forwardTolerance,
    );
    tf.dispose([clean, corrupted, cleanRun.logits, corruptRun.logits, headGrid, residGrid]);
    cleanRun.cache.dispose();
    corruptRun.cache.dispose();
  });

  it('integrated gradients through forwardFromEmbeddings (the stored Gauss–Legendre quadrature, baseline W_E[95])', () => {
    const { alphas, step_sizes: steps } = ref.integrated_gradients.quadrature;
    for (const result of ref.integrated_gradients.results) {
      const tokens = tokensOf(result.ids);
      const baselineTokens = tokensOf(result.baseline_ids);
      const batch = result.ids.length;
      const target = result.target;
      const metric = (logits: tf.Tensor): tf.Tensor =>
        target === null
          ? logitDifference(logits)
          : tf.sum(
              lastLogits(
                logits,
                Array.from({ length: logits.shape.at(0) ?? 0 }, (_, row) => target[row % batch] ?? 0),
              ),
            );
      const attribution = tf.tidy(() => {
        const x = model().embed.call(tokens);
        const b = model().embed.call(baselineTokens);
        const delta = tf.sub(x, b);
        // All steps in one batch: row s·batch + i is sample i at alpha_s.
        const points = tf.concat(
          alphas.map((alpha) => tf.add(b, tf.mul(delta, alpha))),
          0,
        );
        const grads = tf.grad((e: tf.Tensor) => {
          const logits = model().forwardFromEmbeddings(e);
          if (target !== null) return metric(logits);
          // The metric is per sample; with one sample per step, sum over the steps.
          const rows = Array.from({ length: alphas.length }, (_, s) =>
            logitDifference(tf.slice(logits, [s, 0, 0], [1, 12, 96])),
          );
          return tf.addN(rows);
        })(points);
        const weighted = tf.reshape(grads, [alphas.length, batch, 12, 64]);
        const stepTensor = tf.reshape(tf.tensor1d(steps), [alphas.length, 1, 1, 1]);
        return tf.mul(delta, tf.sum(tf.mul(weighted, stepTensor), 0));
      });
      record(
        `integrated_gradients.${result.id}.attribution`,
        attribution,
        result.attribution,
        gradientAllowed(result.attribution),
      );
      tf.dispose([tokens, baselineTokens, attribution]);
    }
  });

  it('steering (ActivationAddition at blocks.0.hook_resid_post, coefficient 4)', () => {
    const steering = ref.steering;
    const positive = tokensOf(steering.positive);
    const negative = tokensOf(steering.negative);
    const prompt = tokensOf(steering.prompt);
    const pos = model().runWithCache(positive, { names: [steering.hook] });
    const neg = model().runWithCache(negative, { names: [steering.hook] });
    const steer = tf.tidy(() =>
      tf.mean(tf.sub(pos.cache.getTensor(steering.hook), neg.cache.getTensor(steering.hook)), 0),
    );
    record('steering.steer [8,64]', steer, steering.steer, forwardTolerance);
    const unsteered = model().call(prompt);
    record('steering.logits_unsteered [1,8,96]', unsteered, steering.logits_unsteered, forwardTolerance);
    const handle = registerHook(model(), steering.hook, 'forward', (output) =>
      tf.add(output as tf.Tensor, tf.mul(steer, steering.coeff)),
    );
    let steered: tf.Tensor;
    try {
      steered = model().call(prompt);
    } finally {
      handle.remove();
    }
    record('steering.logits_steered [1,8,96]', steered, steering.logits_steered, forwardTolerance);
    tf.dispose([positive, negative, prompt, pos.logits, neg.logits, steer, unsteered, steered]);
    pos.cache.dispose();
    neg.cache.dispose();
  });

  it('every item is within its tolerance (prints the table)', () => {
    const backend = inject('tdhookBackend');
    const format = (value: number): string => (value === 0 ? '0' : value.toExponential(1));
    const lines = [
      `| reference item (${backend}) | max abs error | allowed |`,
      '|---|---|---|',
      ...rows.map((row) => `| ${row.item} | ${format(row.maxAbsError)} | ${format(row.allowed)} |`),
    ];
    const table = lines.join('\n');
    console.log(table);
    mkdirSync('.test-results', { recursive: true });
    writeFileSync(`.test-results/gpt2-tiny-conformance.${backend}.md`, `${table}\n`);
    expect(rows.length).toBeGreaterThan(50);
    for (const row of rows) expect(row.maxAbsError, row.item).toBeLessThanOrEqual(row.allowed);
  });
});
