// splicedEvaluation and nextTokenLoss on the tiny model of adapters-models.ts, every number worked out by hand.
// The model: linear1 → relu → linear2; on x1 = [1, 1] it outputs [6, 4], on x2 = [−1, 2] it outputs [2, 1].
// The loss used here is the mean of the output entries: clean on [x1, x2] = (6 + 4 + 2 + 1) / 4 = 3.25.
import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { nextTokenLoss, splicedEvaluation, type Adapter, type SplicedMetric } from '../src/index.js';
import { installedHooks, tinyInput, tinyModel } from './adapters-models.js';
import { snapshot } from './parameter-snapshot.js';

const meanOutput: SplicedMetric = (result) => tf.mean(result.getTensor('output'));
const halving: Adapter = (value) => tf.mul(value, 0.5);
const doubling: Adapter = (value) => tf.mul(value, 2);

function rows(values: number[][]): TensorDict {
  return new TensorDict({ input: tf.tensor2d(values) }, { batchShape: [values.length] });
}

describe('splicedEvaluation', () => {
  it('halving linear1 in place: clean 3.25, spliced 1.875, zero-ablated 0.5, recovered 0.5; the model is unchanged', () => {
    // Halved linear1: [[0.5, 2], [−0.5, 0.5]] → relu [[0.5, 2], [0, 0.5]] → linear2 [[3.5, 2], [1.5, 0.5]]: mean 1.875.
    // Zeroed linear1: linear2 outputs its bias [1, 0] on both rows: mean 0.5.
    // Recovered: (0.5 − 1.875) / (0.5 − 3.25) = 0.5.
    const model = tinyModel();
    const before = snapshot(model);
    using data = rows(tinyInput);
    const result = splicedEvaluation({ model, adapter: halving, from: 'linear1', data, loss: meanOutput });
    expect(result.clean).toBeCloseTo(3.25, 6);
    expect(result.spliced).toBeCloseTo(1.875, 6);
    expect(result.zeroAblated).toBeCloseTo(0.5, 6);
    expect(result.lossRecovered).toBeCloseTo(0.5, 6);
    expect(installedHooks(model)).toBe(0);
    expect(snapshot(model)).toEqual(before);
    model.dispose();
  });

  it('doubling linear2 in place (recovered 2) and across layers linear1 → linear2 (recovered 10/13)', () => {
    const model = tinyModel();
    using data = rows(tinyInput);
    // In place: [[12, 8], [4, 2]], mean 6.5; zeroed linear2: 0. (0 − 6.5) / (0 − 3.25) = 2.
    const inPlace = splicedEvaluation({ model, adapter: doubling, from: 'linear2', data, loss: meanOutput });
    expect([inPlace.clean, inPlace.spliced, inPlace.zeroAblated, inPlace.lossRecovered]).toEqual([
      3.25, 6.5, 0, 2,
    ]);
    // Across: linear2 := 2 · linear1 = [[2, 8], [−2, 2]], mean 2.5; zero-ablation zeroes linear2 (the site
    // replaced): 0. (0 − 2.5) / (0 − 3.25) = 10 / 13.
    const across = splicedEvaluation({
      model,
      adapter: doubling,
      from: 'linear1',
      to: 'linear2',
      data,
      loss: meanOutput,
    });
    expect(across.clean).toBeCloseTo(3.25, 6);
    expect(across.spliced).toBeCloseTo(2.5, 6);
    expect(across.zeroAblated).toBe(0);
    expect(across.lossRecovered).toBeCloseTo(10 / 13, 6);
    expect(installedHooks(model)).toBe(0);
    model.dispose();
  });

  it('batches are weighted by their samples; a metric may be a number (an accuracy: recovered reads the same)', () => {
    // Batches [x1] and [x1, x2], halving linear1. Clean: 5 and 3.25 → (5 + 2 · 3.25) / 3 = 23/6.
    // Spliced: x1 → [3.5, 2], mean 2.75, and 1.875 → (2.75 + 2 · 1.875) / 3 = 13/6. Zeroed: 0.5.
    // Recovered: (0.5 − 13/6) / (0.5 − 23/6) = (−10/6) / (−20/6) = 0.5.
    const model = tinyModel();
    using first = rows([tinyInput[0] as number[]]);
    using second = rows(tinyInput);
    const weighted = splicedEvaluation({
      model,
      adapter: halving,
      from: 'linear1',
      data: [first, second],
      loss: meanOutput,
    });
    expect(weighted.clean).toBeCloseTo(23 / 6, 6);
    expect(weighted.spliced).toBeCloseTo(13 / 6, 6);
    expect(weighted.zeroAblated).toBeCloseTo(0.5, 6);
    expect(weighted.lossRecovered).toBeCloseTo(0.5, 6);
    // "Accuracy": does the first output unit win? Clean: x1 6 > 4 yes, x2 2 > 1 yes → 1.
    // Swapping linear2's units: [4 > 6 no, 1 > 2 no] → 0.
    const firstWins: SplicedMetric = (result) =>
      tf.mean(
        tf.cast(
          tf.greater(
            tf.slice(result.getTensor('output'), [0, 0], [-1, 1]),
            tf.slice(result.getTensor('output'), [0, 1], [-1, 1]),
          ),
          'float32',
        ),
      );
    const swapped = splicedEvaluation({
      model,
      adapter: (value) => tf.reverse(value, -1),
      from: 'linear2',
      data: second,
      loss: (result) => tf.tidy(() => firstWins(result) as tf.Tensor).arraySync() as number,
    });
    expect(swapped.clean).toBe(1);
    expect(swapped.spliced).toBe(0);
    // Zeroed linear2: [0 > 0] no → 0. Recovered (0 − 0) / (0 − 1) = 0.
    expect(swapped.zeroAblated).toBe(0);
    expect(swapped.lossRecovered).toBeCloseTo(0, 12);
    // Halved linear1: [3.5 > 2, 1.5 > 0.5] → 1. Zeroed linear1: [1 > 0, 1 > 0] → 1: zeroing changes nothing,
    // so the recovered fraction is NaN.
    const unchanged = splicedEvaluation({
      model,
      adapter: halving,
      from: 'linear1',
      data: second,
      loss: firstWins,
    });
    expect(unchanged.clean).toBe(1);
    expect(unchanged.zeroAblated).toBe(1);
    expect(unchanged.lossRecovered).toBeNaN();
    model.dispose();
  });

  it('typed errors before any run (options, paths, data); a bad loss at run leaves the model restored', () => {
    const model = tinyModel();
    const before = snapshot(model);
    using data = rows(tinyInput);
    const base = { model, adapter: doubling, from: 'linear1', data, loss: meanOutput };
    expect(() => splicedEvaluation({ ...base, path: 'linear1' } as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /has no option "path".*Name the site with from/,
    );
    expect(() => splicedEvaluation({ ...base, to: 'linear9' })).toThrowTdhookError(
      'E_UNKNOWN_PATH',
      /linear9/,
    );
    expect(() => splicedEvaluation({ ...base, data: [] })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /data must be a TensorDict or a non-empty iterable of TensorDicts, got no batch/,
    );
    expect(() => splicedEvaluation({ ...base, model: {} as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /model must be a tdhook Module/,
    );
    expect(() => splicedEvaluation({ ...base, adapter: 3 as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /adapter must be a function/,
    );
    expect(() =>
      splicedEvaluation({ ...base, loss: (result) => result.getTensor('output') }),
    ).toThrowTdhookError('E_INVALID_VALUE', /loss returned .* for the clean run, not a finite scalar/);
    expect(() =>
      splicedEvaluation({ ...base, adapter: (value) => tf.concat([value, value], 1), to: 'linear2' }),
    ).toThrowTdhookError('E_SHAPE_MISMATCH', /returned shape \[2, 4\]/);
    let calls = 0;
    expect(() =>
      splicedEvaluation({
        ...base,
        loss: () => {
          calls += 1;
          return calls === 2 ? Number.NaN : 1;
        },
      }),
    ).toThrowTdhookError('E_INVALID_VALUE', /loss returned NaN for the spliced run/);
    expect(installedHooks(model)).toBe(0);
    expect(snapshot(model)).toEqual(before);
    model.dispose();
  });
});

describe('nextTokenLoss', () => {
  it('is the mean cross-entropy of each position against the next token (hand-computed: (ln 3 + ln 4) / 2)', () => {
    // tokens [0, 2, 1], vocabulary 3. Position 0: logits [0, 0, 0], next token 2: −ln(1/3) = ln 3.
    // Position 1: logits [0, 0, ln 2] → softmax [1/4, 1/4, 1/2], next token 1: −ln(1/4) = ln 4. Position 2 has
    // no next token (its logits are ignored).
    using result = new TensorDict(
      {
        input: tf.tensor2d([[0, 2, 1]], [1, 3], 'int32'),
        output: tf.tensor3d([
          [
            [0, 0, 0],
            [0, 0, Math.log(2)],
            [100, -100, 7],
          ],
        ]),
      },
      { batchShape: [1] },
    );
    const loss = nextTokenLoss()(result) as tf.Tensor;
    expect(loss.dataSync()[0]).toBeCloseTo((Math.log(3) + Math.log(4)) / 2, 5);
    loss.dispose();
    using short = new TensorDict(
      { tokens: tf.tensor2d([[0]], [1, 1], 'int32'), logits: tf.zeros([1, 1, 3]) },
      { batchShape: [1] },
    );
    expect(() => nextTokenLoss({ tokens: 'tokens', logits: 'logits' })(short)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /at least 2 positions, got 1/,
    );
    expect(() => nextTokenLoss({ tokens: 'tokens', logits: 'tokens' })(short)).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /needs tokens \[batch, positions\] and logits \[batch, positions, vocabulary\]/,
    );
  });
});
