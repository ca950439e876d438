// Token attribution against the gpt2-tiny reference (PyTorch gradients, captum 0.7.0 LayerIntegratedGradients
// on wte): the README's tolerance for gradients and IG, rtol 1e-4 and atol 1e-6 relative to the tensor's
// largest magnitude. Set TDHOOK_CONFORMANCE_OUT to a file to record the largest errors (the report's table).
import { appendFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs-core';
import { saliency } from '@tdhook/attribution';
import { TensorDict } from '@tdhook/core';
import { describe, expect, inject, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import { attributeTokens, LogitsFromEmbeddings, type TokenTarget } from '../src/index.js';
import { flat, reference, useTinyModel, type Spec } from './model-fixture.js';

const model = useTinyModel();

interface Case {
  readonly ids: number[][];
  readonly target?: number[] | null;
  readonly gradient?: Spec;
  readonly input_x_gradient_per_token?: Spec;
  readonly attribution?: Spec;
  readonly attribution_per_token?: Spec;
  readonly convergence_delta?: Spec;
  readonly f_x?: Spec;
}
interface AttributionReference {
  readonly gradients: { readonly clean_metric: Case; readonly batch_target_logit: Case };
  readonly integrated_gradients: { readonly results: (Case & { readonly id: string })[] };
  readonly patching_inputs: { readonly clean_answer: number; readonly corrupt_answer: number };
  readonly conventions: { readonly pad_token_id: number };
}
const ref = reference() as unknown as AttributionReference;
const pad = ref.conventions.pad_token_id;
const metric: TokenTarget = {
  token: ref.patching_inputs.clean_answer,
  versus: ref.patching_inputs.corrupt_answer,
};
const igCase = (suffix: string): Case =>
  ref.integrated_gradients.results.find((r) => r.id.endsWith(suffix)) as Case;

/** Largest |actual − expected| over the largest |expected|, asserted ≤ rtol + atol/max (the README's rule). */
function compare(item: string, actual: ArrayLike<number>, spec: Spec): void {
  const want = flat(spec);
  expect(actual.length).toBe(want.length);
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs((actual[i] ?? 0) - (want[i] ?? 0)));
  const out = process.env['TDHOOK_CONFORMANCE_OUT'];
  if (out !== undefined) {
    appendFileSync(
      out,
      `${JSON.stringify({ backend: inject('tdhookBackend'), item, absolute: worst, relative: worst / scale })}\n`,
    );
  }
  expect(worst, `${item}: max error ${worst} vs max |ref| ${scale}`).toBeLessThanOrEqual(1e-4 * scale + 1e-6);
}

/** The plain gradient of the target at the embedding, through the wrapper the methods see. */
function gradient(ids: number[][], target: TokenTarget): Float32Array {
  const m = model();
  const wrapper = new LogitsFromEmbeddings(m, (ids[0]?.length ?? 0) - 1);
  const tokens = tf.tensor2d(ids, undefined, 'int32');
  const weights = tf.tidy(() => {
    const token =
      typeof target.token === 'number' ? ids.map(() => target.token as number) : [...target.token];
    const plus = tf.oneHot(tf.tensor1d(token, 'int32'), m.config.dVocab);
    return target.versus === undefined
      ? plus
      : tf.sub(
          plus,
          tf.oneHot(
            tf.tensor1d(
              ids.map(() => target.versus as number),
              'int32',
            ),
            m.config.dVocab,
          ),
        );
  });
  using prepared = saliency({ target: { select: (out) => tf.sum(tf.mul(out, weights), -1) } }).prepare(
    wrapper,
  );
  using data = new TensorDict({ input: m.embed.call(tokens) }, { batchShape: [ids.length] });
  using result = prepared.run(data);
  const values = Float32Array.from(result.getTensor(['attr', 'input']).dataSync());
  tf.dispose([tokens, weights]);
  return values;
}

describe('token attribution matches the gpt2-tiny reference', () => {
  const batch = ref.gradients.batch_target_logit;
  const clean = ref.gradients.clean_metric;
  const batchTarget: TokenTarget = { token: batch.target as number[] };

  it('gradients: ∂logit[b, −1, target_b]/∂hook_embed and ∂metric/∂hook_embed', () => {
    compare(
      'gradients.batch_target_logit.gradient',
      gradient(batch.ids, batchTarget),
      batch.gradient as Spec,
    );
    compare('gradients.clean_metric.gradient', gradient(clean.ids, metric), clean.gradient as Spec);
  });

  it('gradient × input per token (and saliency = |gradient|)', () => {
    for (const [name, item, target] of [
      ['batch_target_logit', batch, batchTarget],
      ['clean_metric', clean, metric],
    ] as const) {
      const ixg = attributeTokens(model(), item.ids, { method: 'ixg', target });
      compare(
        `gradients.${name}.input_x_gradient_per_token`,
        ixg.scores.flat(),
        item.input_x_gradient_per_token as Spec,
      );
      ixg.attribution.dispose();
      const sal = attributeTokens(model(), item.ids, { method: 'saliency', target });
      const reference = item.gradient as Spec;
      const magnitude = { shape: reference.shape, data: Array.from(flat(reference), Math.abs) };
      compare(`gradients.${name}.saliency (|gradient|)`, sal.attribution.dataSync(), magnitude);
      sal.attribution.dispose();
    }
  });

  for (const [name, target] of [
    ['batch_target_logit', batchTarget],
    ['clean_metric', metric],
  ] as const) {
    it(`integrated gradients, ${name}: attribution, per token, f(x) and the convergence delta`, () => {
      const item = igCase(name);
      const ig = attributeTokens(model(), item.ids, {
        method: 'ig',
        target,
        baseline: { token: pad },
        steps: 50,
      });
      compare(
        `integrated_gradients.${name}.attribution`,
        ig.attribution.dataSync(),
        item.attribution as Spec,
      );
      compare(
        `integrated_gradients.${name}.attribution_per_token`,
        ig.scores.flat(),
        item.attribution_per_token as Spec,
      );
      compare(`integrated_gradients.${name}.f_x`, ig.targetValues, item.f_x as Spec);
      // The delta is a difference of near-equal sums: compared absolutely, at the README's 1.5e-6·|f(x) − f(b)|
      // scale plus float32 summation noise.
      const delta = flat(item.convergence_delta as Spec);
      const out = process.env['TDHOOK_CONFORMANCE_OUT'];
      const worst = Math.max(...(ig.convergenceDelta ?? []).map((d, i) => Math.abs(d - (delta[i] ?? 0))));
      if (out !== undefined) {
        appendFileSync(
          out,
          `${JSON.stringify({ backend: inject('tdhookBackend'), item: `integrated_gradients.${name}.convergence_delta`, absolute: worst, ours: ig.convergenceDelta, ref: Array.from(delta) })}\n`,
        );
      }
      expect(worst).toBeLessThan(1e-5);
      ig.attribution.dispose();
    });
  }
});
