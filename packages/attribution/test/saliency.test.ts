import { describe, expect, it } from 'vitest';
import { TensorDict } from '@tdhook/core';
import { findReferenceResult, tensorFromSpec } from '@tdhook/testing';

import { saliency } from '../src/index.js';
import { referenceCnn, referenceInput, referenceMlp } from './reference-models.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

const tolerance = { rtol: 1e-4, atol: 1e-6 };

const targetsOf = {
  argmax: { select: 'argmax' },
  class3: { select: 3 },
  per_sample_9_0_4_7: { select: [9, 0, 4, 7] },
} as const;

describe.each([
  { name: 'mlp', build: referenceMlp, specs: ['argmax', 'class3', 'per_sample_9_0_4_7'] },
  { name: 'cnn', build: referenceCnn, specs: ['argmax', 'class3'] },
] as const)('saliency on the reference $name', ({ name, build, specs }) => {
  describe.each(specs)('target %s', (spec) => {
    it.each([
      ['saliency_abs', { absolute: true }],
      ['saliency_raw', {}],
      ['input_x_gradient', { multiplyByInputs: true }],
    ] as const)('%s matches captum', (method, options) => {
      const model = build();
      const x = referenceInput(name);
      const expected = tensorFromSpec(
        findReferenceResult(name, `${method}__logits__${spec}`).attributionTfjs,
      );
      {
        using prepared = saliency({ ...options, target: targetsOf[spec] }).prepare(model);
        using data = new TensorDict({ input: x }, { batchShape: [4] });
        using result = prepared.run(data);
        expect(result.getTensor(['attr', 'input'])).toBeCloseToTensor(expected, tolerance);
      }
      expected.dispose();
      model.dispose();
    });
  });
});
