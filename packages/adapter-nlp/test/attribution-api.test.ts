// attributeTokens' options and errors on gpt2-tiny: typed errors before anything runs, chunked IG equal to
// unchunked, the zeros baseline's convergence, a logit difference as the difference of two attributions.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import { attributeTokens, type TokenAttributionOptions } from '../src/index.js';
import { reference, useTinyModel } from './model-fixture.js';

const model = useTinyModel();
const ids = reference().inputs.tokens.data;

describe('attributeTokens', () => {
  it('refuses bad input with a TextAttributionError naming the option', () => {
    const cases: [unknown, Partial<TokenAttributionOptions>, RegExp][] = [
      [ids, { method: 'shap' as never }, /Unknown method "shap".*options\.method/],
      [ids, { target: { token: 96 } }, /Token id 96 \(sequence 0\) is not in the vocabulary 0…95/],
      [ids, { target: { token: [1, 2] } }, /target\.token gives 2 tokens for 3 sequences/],
      [ids, { target: { token: 1, position: 12 } }, /Position 12 is outside the sequence of 12 tokens/],
      [ids, { baseline: { token: -1 } }, /The baseline token -1 is not in the vocabulary/],
      [ids, { steps: 0 }, /steps must be a whole number ≥ 1, got 0/],
      [[[1, 2], [3]], {}, /The sequences differ in length/],
      [[[1, 200]], {}, /Token id 200 at \[0, 1\] is not in the vocabulary/],
      [[Array.from({ length: 33 }, () => 1)], {}, /33 tokens exceed the model's context of 32/],
    ];
    for (const [tokens, options, message] of cases) {
      expect(() =>
        attributeTokens(model(), tokens as number[][], { method: 'ig', target: { token: 1 }, ...options }),
      ).toThrowTdhookError('E_NLP_ATTRIBUTION', message);
    }
  });

  it('integrated gradients in chunks equal one pass, and from zeros converge to f(x) − f(0)', () => {
    const options: TokenAttributionOptions = { method: 'ig', target: { token: [82, 61, 90] }, steps: 20 };
    const whole = attributeTokens(model(), ids, options);
    const chunked = attributeTokens(model(), ids, { ...options, chunkSize: 7 });
    expect(chunked.attribution).toBeCloseToTensor(whole.attribution, { rtol: 1e-5, atol: 1e-7 });
    whole.convergenceDelta?.forEach((delta, i) => {
      expect(Math.abs(delta)).toBeLessThan(1e-3 * Math.abs(whole.targetValues[i] ?? 1));
    });
    tf.dispose([whole.attribution, chunked.attribution]);
  });

  it('a logit difference is the difference of the two logits’ attributions, for every method', () => {
    for (const method of ['ixg', 'ig', 'lrp'] as const) {
      const run = (target: TokenAttributionOptions['target']) =>
        attributeTokens(model(), ids.slice(0, 1), { method, target, steps: 16 });
      const [both, plus, minus] = [run({ token: 51, versus: 61 }), run({ token: 51 }), run({ token: 61 })];
      const difference = tf.sub(plus.attribution, minus.attribution);
      expect(both.attribution).toBeCloseToTensor(difference, { rtol: 1e-4, atol: 1e-6 });
      expect(both.targetValues[0]).toBeCloseTo((plus.targetValues[0] ?? 0) - (minus.targetValues[0] ?? 0), 5);
      tf.dispose([both.attribution, plus.attribution, minus.attribution, difference]);
    }
  });

  it('takes token ids as an int32 tensor too, and leaves it to the caller', () => {
    const tensor = tf.tensor2d(ids, undefined, 'int32');
    const fromTensor = attributeTokens(model(), tensor, { method: 'saliency', target: { token: 3 } });
    const fromArray = attributeTokens(model(), ids, { method: 'saliency', target: { token: 3 } });
    expect(fromTensor.scores).toEqual(fromArray.scores);
    expect(tensor.isDisposed).toBe(false);
    tf.dispose([tensor, fromTensor.attribution, fromArray.attribution]);
  });
});
