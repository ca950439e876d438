import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import { expected, reference, tokensOf, useTinyModel } from './model-fixture.js';

const model = useTinyModel();

describe('gpt2-tiny logits', () => {
  it('match the reference logits of all three sequences (atol 1e-5)', () => {
    const ref = reference();
    const tokens = tokensOf(ref.inputs.tokens.data);
    const logits = model().call(tokens);
    expect(logits.shape).toEqual([3, 12, 96]);
    expect(logits).toBeCloseToTensor(expected(ref.forward.logits), { atol: 1e-5, rtol: 0 });
    tf.dispose([tokens, logits]);
  });
});
