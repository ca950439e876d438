// AtP on gpt2-tiny against the PyTorch reference (reference.json → attribution_patching): the head grid over
// hook_z, the layer × position grid over hook_resid_pre, and the hook_z gradients on the corrupted run that
// the estimates are made of. atol 1e-5 (the fixture's tolerance for patching metrics and AtP).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { TensorDict } from '@tdhook/core';
import { defineMethod } from '@tdhook/core/plugin';
import { captureSpecs, ModuleCaptures } from '@tdhook/attribution/plugin';

import { attributionPatching, headSites, layerPositionSites, logitDifference } from '../src/index.js';
import { receivingPass } from '../src/attribution-patching/receiving-pass.js';
import { flat, maxAbsError, reference, tokensOf, useTinyModel, type Spec } from './gpt2-tiny-fixture.js';

const model = useTinyModel();
const tolerance = { atol: 1e-5, rtol: 0 };

/** A reference grid with the batch axis of one sample in front. */
const batchOf = (spec: Spec): { shape: number[]; data: number[] } => ({
  shape: [1, ...spec.shape],
  data: flat(spec),
});

function pairData(): TensorDict {
  const { clean, corrupted } = reference().patching_inputs;
  return new TensorDict(
    { input: tokensOf(clean), patched: { input: tokensOf(corrupted) } },
    { batchShape: [clean.length] },
  );
}

const metric = (): ReturnType<typeof logitDifference> => {
  const { clean_answer: answer, corrupt_answer: versus } = reference().patching_inputs;
  return logitDifference({ answer, versus });
};

describe(`attribution patching on gpt2-tiny matches the PyTorch reference (${tf.getBackend()})`, () => {
  it('head grid over hook_z [2, 4] and the two metrics (atol 1e-5)', () => {
    const ref = reference();
    using data = pairData();
    using prepared = attributionPatching({ sites: headSites(model().config), metric: metric() }).prepare(
      model(),
    );
    using result = prepared.run(data);
    const estimate = result.getTensor(['atp', 'estimate']);
    expect(estimate.shape).toEqual([1, 2, 4]);
    const error = maxAbsError(estimate.dataSync(), flat(ref.attribution_patching.head_z.atp));
    console.info(`[conformance] atp head_z [2,4] max |error| ${error.toExponential(2)} (${tf.getBackend()})`);
    expect(estimate).toBeCloseToTensor(batchOf(ref.attribution_patching.head_z.atp), tolerance);
    const source = result.getTensor(['atp', 'source_metric']).dataSync()[0] ?? Number.NaN;
    const baseline = result.getTensor(['atp', 'baseline_metric']).dataSync()[0] ?? Number.NaN;
    expect(Math.abs(source - ref.activation_patching.clean_metric)).toBeLessThan(1e-5);
    expect(Math.abs(baseline - ref.activation_patching.corrupted_metric)).toBeLessThan(1e-5);
  });

  it('layer × position grid over hook_resid_pre [2, 12] (atol 1e-5)', () => {
    const ref = reference();
    using data = pairData();
    const sites = layerPositionSites(model().config, { positions: 12 });
    using prepared = attributionPatching({ sites, metric: metric(), resultKey: 'resid' }).prepare(model());
    using result = prepared.run(data);
    const estimate = result.getTensor(['resid', 'estimate']);
    expect(estimate.shape).toEqual([1, 2, 12]);
    const error = maxAbsError(estimate.dataSync(), flat(ref.attribution_patching.resid_pre.atp));
    console.info(
      `[conformance] atp resid_pre [2,12] max |error| ${error.toExponential(2)} (${tf.getBackend()})`,
    );
    expect(estimate).toBeCloseToTensor(batchOf(ref.attribution_patching.resid_pre.atp), tolerance);
  });
});

/** A test-only method: the receiving pass alone, publishing the gradient it takes at each path. */
const receivingGradients = defineMethod<{ paths: string[] }>({
  contract: 'tdhook.method/1',
  id: 'test/receiving-gradients',
  requirements: () => ({ modelPasses: 1, gradients: 'required' }),
  plan: ({ paths }, model) => ({
    hooks: captureSpecs(paths),
    inKeys: model.inKeys,
    outKeys: paths.map((path) => ['grad', path] as const),
  }),
  bind: ({ paths }, context) => {
    const captures = new ModuleCaptures(context, paths);
    return {
      run: (data) => {
        const pass = receivingPass(context.model, [data.getTensor('input')], captures, metric(), 1, 'test');
        const result = new TensorDict({}, { batchShape: data.batchShape });
        paths.forEach((path, index) => result.set(['grad', path], pass.gradients[index]));
        tf.dispose([...pass.outputs, ...pass.values]);
        return result;
      },
    };
  },
});

describe(`the gradients the estimate is made of (${tf.getBackend()})`, () => {
  it('∂metric/∂hook_z on the corrupted run, at the head-split tensors the model uses, matches PyTorch (rtol 1e-4 of the max, atol 1e-6)', () => {
    const ref = reference();
    const stored = ref.attribution_patching.gradients_on_corrupted_run;
    const paths = Object.keys(stored);
    expect(paths).toEqual(['blocks.0.attn.hook_z', 'blocks.1.attn.hook_z']);
    using data = new TensorDict({ input: tokensOf(ref.patching_inputs.corrupted) }, { batchShape: [1] });
    using prepared = receivingGradients({ paths }).prepare(model());
    using result = prepared.run(data);
    for (const path of paths) {
      const spec = stored[path] as Spec;
      const max = flat(spec).reduce((worst, value) => Math.max(worst, Math.abs(value)), 0);
      const gradient = result.getTensor(['grad', path]);
      const error = maxAbsError(gradient.dataSync(), flat(spec));
      console.info(
        `[conformance] ∂metric/∂${path} max |error| ${error.toExponential(2)} (max |g| ${max.toExponential(2)}, ${tf.getBackend()})`,
      );
      expect(gradient).toBeCloseToTensor(
        { shape: spec.shape, data: flat(spec) },
        { atol: 1e-4 * max + 1e-6, rtol: 0 },
      );
    }
  });
});
