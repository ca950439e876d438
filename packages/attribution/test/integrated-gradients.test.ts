import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { TensorDict } from '@tdhook/core';
import { findReferenceResult, loadReferenceModel, tensorFromSpec } from '@tdhook/testing';

import { classTargets, integratedGradients } from '../src/index.js';
import { referenceCnn, referenceInput, referenceMlp } from './reference-models.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

const tolerance = { rtol: 1e-4, atol: 1e-6 };

const targetsOf = {
  argmax: { select: 'argmax' },
  class3: { select: 3 },
  per_sample_9_0_4_7: { select: [9, 0, 4, 7] },
} as const;

const models = [
  { name: 'mlp', build: referenceMlp, specs: ['argmax', 'class3', 'per_sample_9_0_4_7'] },
  { name: 'cnn', build: referenceCnn, specs: ['argmax', 'class3'] },
] as const;

describe.each(models)('integrated gradients on the reference $name', ({ name, build, specs }) => {
  describe.each(specs)('target %s', (spec) => {
    it.each(['riemann_trapezoid', 'gausslegendre'] as const)(
      '%s matches captum, with its convergence delta',
      (method) => {
        const model = build();
        const reference = findReferenceResult(name, `integrated_gradients_${method}__logits__${spec}`);
        const expected = tensorFromSpec(reference.attributionTfjs);
        {
          using prepared = integratedGradients({
            target: targetsOf[spec],
            method,
            steps: 50,
            baselines: 0,
            convergenceDelta: true,
          }).prepare(model);
          using data = new TensorDict({ input: referenceInput(name) }, { batchShape: [4] });
          using result = prepared.run(data);
          expect(result.getTensor(['attr', 'input'])).toBeCloseToTensor(expected, tolerance);
          expect(result.getTensor('convergence_delta')).toBeCloseToTensor(
            reference.extras.convergence_delta as number[],
            tolerance,
          );
          // The model outputs are published at x.
          expect(result.getTensor('output')).toBeCloseToTensor(loadReferenceModel(name).logits, tolerance);
        }
        expected.dispose();
        model.dispose();
      },
    );
  });

  it('attributes all ten classes in one call; class 3 and the argmax class match captum', () => {
    const model = build();
    const x = referenceInput(name);
    const all = classTargets([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    using prepared = integratedGradients({ targets: all, baselines: 0, convergenceDelta: true }).prepare(
      model,
    );
    using data = new TensorDict({ input: x }, { batchShape: [4] });
    using result = prepared.run(data);
    const class3 = findReferenceResult(name, 'integrated_gradients_gausslegendre__logits__class3');
    const argmax = findReferenceResult(name, 'integrated_gradients_gausslegendre__logits__argmax');
    expect(result.getTensor(['attr', 'class3', 'input'])).toBeCloseToTensor(
      class3.attributionTfjs,
      tolerance,
    );
    expect(result.getTensor(['convergence_delta', 'class3'])).toBeCloseToTensor(
      class3.extras.convergence_delta as number[],
      tolerance,
    );
    // The argmax reference: each sample's row of its predicted class's attribution.
    const picked = tf.tidy(() =>
      tf.stack(
        argmax.target.map((unit, sample) =>
          tf.gather(result.getTensor(['attr', `class${unit}`, 'input']), sample),
        ),
      ),
    );
    expect(picked).toBeCloseToTensor(argmax.attributionTfjs, tolerance);
    picked.dispose();
    model.dispose();
  });
});
