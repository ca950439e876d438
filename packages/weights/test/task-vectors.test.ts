// Task vectors (SPEC §2.7 TaskVectors, scenario 148) on a tiny Module whose numbers are exact in float32:
// taskVector / forgetVector / combineTaskVectors, chooseAlpha (the original's compute_alpha) and the
// weights/task-vectors method, with bit-exact restore after every exit and failure.
import * as tf from '@tensorflow/tfjs-core';
import { readParameters, registerHook, TensorDict } from '@tdhook/core';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { chooseAlpha, combineTaskVectors, forgetVector, taskVector, taskVectors } from '../src/index.js';
import { finetunedValues, pretrainedValues, tinyModel, tinyParameters } from './task-vectors-models.js';
import { dictValues, snapshot } from './parameter-snapshot.js';

const program = [{ path: '', direction: null, operation: 'replace-parameters' }];

function outputOf(model: ReturnType<typeof tinyModel>, x: number[][]): number[][] {
  return tf.tidy(() => model.call(tf.tensor2d(x)).arraySync() as number[][]);
}

describe('taskVector, forgetVector, combineTaskVectors', () => {
  it('τ = θ_ft − θ_pre and −τ, by hand: kernel [[0.5, 0], [0, −1]], bias [0, 1]', () => {
    using pretrained = tinyParameters(pretrainedValues);
    using finetuned = tinyParameters(finetunedValues);
    using tau = taskVector(pretrained, finetuned);
    using forget = forgetVector(pretrained, finetuned);
    expect(dictValues(tau)).toEqual({
      'linear.kernel': [0.5, 0, 0, -1],
      'linear.bias': [0, 1],
    });
    expect(dictValues(forget)).toEqual({
      'linear.kernel': [-0.5, 0, 0, 1],
      'linear.bias': [0, -1],
    });
    // The inputs are untouched.
    expect(dictValues(pretrained)['linear.kernel']).toEqual([1, 2, 3, 4]);
  });

  it('θ_pre + α·Σ vectors, by hand: α = 0.5 with [τ] and α = 2 with [τ, τ]', () => {
    using pretrained = tinyParameters(pretrainedValues);
    using finetuned = tinyParameters(finetunedValues);
    using tau = taskVector(pretrained, finetuned);
    using half = combineTaskVectors(pretrained, [tau], 0.5);
    expect(dictValues(half)).toEqual({
      'linear.kernel': [1.25, 2, 3, 3.5],
      'linear.bias': [0.5, 0],
    });
    using double = combineTaskVectors(pretrained, [tau, tau], 2); // θ_pre + 4τ
    expect(dictValues(double)).toEqual({
      'linear.kernel': [3, 2, 3, 0],
      'linear.bias': [0.5, 3.5],
    });
    // α = 1 with one vector gives θ_ft back (exact here).
    using one = combineTaskVectors(pretrained, [tau], 1);
    expect(dictValues(one)).toEqual(dictValues(finetuned));
  });

  it('scenario 148: combineTaskVectors(pre, [task, forget], 0.1) equals the pretrained weights exactly (MLP-sized random weights)', () => {
    const keys = ['a.kernel', 'a.bias', 'b.kernel'];
    const shapes = [[10, 20], [20], [20, 5]];
    using pretrained = new TensorDict(
      Object.fromEntries(
        keys.map((key, i) => [key, tf.randomNormal(shapes[i] as number[], 0, 1, 'float32', 11 + i)]),
      ),
    );
    using finetuned = new TensorDict(
      Object.fromEntries(
        keys.map((key, i) => [key, tf.randomNormal(shapes[i] as number[], 0, 1, 'float32', 31 + i)]),
      ),
    );
    using task = taskVector(pretrained, finetuned);
    using forget = forgetVector(pretrained, finetuned);
    using weights = combineTaskVectors(pretrained, [task, forget], 0.1);
    expect(dictValues(weights)).toEqual(dictValues(pretrained));
  });

  it('typed errors name the key: a missing key, an extra key, another shape, a non-finite α, no vectors', () => {
    using pretrained = tinyParameters(pretrainedValues);
    using missing = new TensorDict({ 'linear.kernel': tf.zeros([2, 2]) });
    using extra = tinyParameters(finetunedValues).set('linear.scale', tf.ones([2]));
    using reshaped = new TensorDict({ 'linear.kernel': tf.zeros([4]), 'linear.bias': tf.zeros([2]) });
    expect(() => taskVector(pretrained, missing)).toThrowTdhookError('E_MISSING_KEY', /'linear\.bias'/);
    expect(() => forgetVector(pretrained, extra)).toThrowTdhookError('E_UNKNOWN_PATH', /'linear\.scale'/);
    expect(() => combineTaskVectors(pretrained, [reshaped], 1)).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /vectors\[0\]\['linear\.kernel'\] has shape \[4\]/,
    );
    using tau = taskVector(pretrained, pretrained);
    expect(() => combineTaskVectors(pretrained, [tau], Number.NaN)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /alpha is NaN/,
    );
    expect(() => combineTaskVectors(pretrained, [], 1)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /vectors is empty/,
    );
  });
});

describe('taskVectors method (scenario 148: with_applied_vectors)', () => {
  it('applies θ_pre + α·Σ while prepared (outputs by hand), reports the program, restores bit-exactly', () => {
    const model = tinyModel();
    const before = snapshot(model);
    using pretrained = readParameters(model);
    using finetuned = tinyParameters(finetunedValues);
    using tau = taskVector(pretrained, finetuned);
    const method = taskVectors({ pretrained, vectors: [tau], alpha: 0.5 });
    expect(method.id).toBe('weights/task-vectors');
    expect(method.plan().hooks).toEqual(program);
    {
      using prepared = method.prepare(model);
      expect(prepared.program).toEqual(program);
      expect(snapshot(model)).toEqual({
        'linear.kernel': [1.25, 2, 3, 3.5],
        'linear.bias': [0.5, 0],
      });
      using data = new TensorDict(
        {
          input: tf.tensor2d([
            [1, 1],
            [2, -1],
          ]),
        },
        { batchShape: [2] },
      );
      using result = prepared.run(data);
      // [1, 1]·[[1.25, 2], [3, 3.5]] + [0.5, 0] = [4.75, 5.5]; [2, −1]· … = [0, 0.5]
      expect(result.getTensor('output').arraySync()).toEqual([
        [4.75, 5.5],
        [0, 0.5],
      ]);
    }
    expect(snapshot(model)).toEqual(before);
    expect(outputOf(model, [[1, 1]])).toEqual([[4.5, 5.5]]);
    model.dispose();
  });

  it('restores after a failure in run (a hook that throws) and refuses to run again', () => {
    const model = tinyModel();
    const before = snapshot(model);
    using pretrained = readParameters(model);
    using finetuned = tinyParameters(finetunedValues);
    using forget = forgetVector(pretrained, finetuned);
    const prepared = taskVectors({ pretrained, vectors: [forget], alpha: 1 }).prepare(model);
    expect(snapshot(model)).not.toEqual(before);
    const handle = registerHook(model, 'linear', 'forward', () => {
      throw new Error('boom');
    });
    using data = new TensorDict({ input: tf.ones([1, 2]) }, { batchShape: [1] });
    expect(() => prepared.run(data)).toThrow('boom');
    handle.remove();
    expect(prepared.active).toBe(false);
    expect(snapshot(model)).toEqual(before);
    prepared.restore();
    expect(snapshot(model)).toEqual(before);
    model.dispose();
  });

  it('refuses dicts that do not fit the model and unknown options, before changing anything', async () => {
    const model = tinyModel();
    const before = snapshot(model);
    using partial = new TensorDict({ 'linear.kernel': tf.zeros([2, 2]) });
    using other = new TensorDict({ 'linear.kernel': tf.zeros([2, 2]), 'other.bias': tf.zeros([2]) });
    using pretrained = readParameters(model);
    using wrongShape = new TensorDict({ 'linear.kernel': tf.zeros([2, 2]), 'linear.bias': tf.zeros([3]) });
    using zeroVector = new TensorDict({ 'linear.kernel': tf.zeros([2, 2]), 'linear.bias': tf.zeros([3]) });
    expect(() =>
      taskVectors({ pretrained: partial, vectors: [partial], alpha: 1 }).prepare(model),
    ).toThrowTdhookError('E_MISSING_KEY', /the model's parameter 'linear\.bias'/);
    expect(() =>
      taskVectors({ pretrained: other, vectors: [other], alpha: 1 }).prepare(model),
    ).toThrowTdhookError('E_MISSING_KEY', /'linear\.bias'/);
    expect(() =>
      taskVectors({ pretrained: wrongShape, vectors: [zeroVector], alpha: 1 }).prepare(model),
    ).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /pretrained\['linear\.bias'\] has shape \[3\], the model's parameter has \[2\]/,
    );
    expect(() => taskVectors({ pretrained, vectors: [wrongShape], alpha: 1 })).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /vectors\[0\]\['linear\.bias'\]/,
    );
    expect(() => taskVectors({ pretrained, vectors: [pretrained], alpha: Infinity })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /alpha is Infinity/,
    );
    // An unknown option is refused (not ignored), with a hint for the original's names.
    expect(() =>
      taskVectors({ pretrained, vectors: [pretrained], alpha: 1, alphas: [0.5] } as never),
    ).toThrowTdhookError('E_INVALID_VALUE', /has no option "alphas".*chooseAlpha/);
    await expect(
      chooseAlpha({
        model,
        pretrained,
        vectors: [pretrained],
        alphas: [1],
        adequate: () => true,
        get_test_accuracy: () => 1,
      } as never),
    ).rejects.toMatchObject({
      code: 'E_INVALID_VALUE',
      message: expect.stringMatching(/has no option "get_test_accuracy".*Use accuracy/) as unknown,
    });
    expect(snapshot(model)).toEqual(before);
    model.dispose();
  });
});

describe('chooseAlpha (the original compute_alpha)', () => {
  it('scenario 148: equal accuracies give the first alpha (0.1); each α applied while the callbacks run, then restored', async () => {
    const model = tinyModel();
    const before = snapshot(model);
    using pretrained = readParameters(model);
    using finetuned = tinyParameters(finetunedValues);
    using tau = taskVector(pretrained, finetuned);
    const seen: number[][] = [];
    const { alpha, results } = await chooseAlpha({
      model,
      pretrained,
      vectors: [tau],
      alphas: [0.1, 0.5, 1],
      adequate: () => true,
      accuracy: (m) => {
        seen.push(outputOf(m as ReturnType<typeof tinyModel>, [[1, 1]])[0] as number[]);
        return 0.5;
      },
    });
    expect(alpha).toBe(0.1);
    expect(results).toEqual([
      { alpha: 0.1, adequate: true, accuracy: 0.5 },
      { alpha: 0.5, adequate: true, accuracy: 0.5 },
      { alpha: 1, adequate: true, accuracy: 0.5 },
    ]);
    // Output with θ_pre + ατ on [1, 1]: [4.5 + 0.5α, 5.5 + 0·α] (kernel row sums change by 0.5α and −α, bias by α).
    expect(seen[1]).toEqual([4.75, 5.5]);
    expect(seen[2]).toEqual([5, 5.5]);
    expect(seen[0]?.[0]).toBeCloseTo(4.55, 5);
    expect(snapshot(model)).toEqual(before);
    model.dispose();
  });

  it('best accuracy among the adequate α only; accuracy is not asked for inadequate α', async () => {
    const model = tinyModel();
    using pretrained = readParameters(model);
    using finetuned = tinyParameters(finetunedValues);
    using tau = taskVector(pretrained, finetuned);
    // Output[0] on [1, 1] is 4.5 + 0.5α: accuracy grows with α, but α > 1 is not adequate.
    const asked: number[] = [];
    const output0 = (m: unknown): number =>
      outputOf(m as ReturnType<typeof tinyModel>, [[1, 1]])[0]?.[0] ?? 0;
    const { alpha, results } = await chooseAlpha({
      model,
      pretrained,
      vectors: [tau],
      alphas: [0.5, 2, 1, 4],
      adequate: (m) => output0(m) <= 5,
      accuracy: (m) => {
        asked.push(output0(m));
        return output0(m);
      },
    });
    expect(alpha).toBe(1);
    expect(asked).toEqual([4.75, 5]);
    expect(results.map((row) => row.accuracy)).toEqual([4.75, null, 5, null]);
    model.dispose();
  });

  it('no adequate α: a typed error, model unchanged; a throwing callback: its error, model restored', async () => {
    const model = tinyModel();
    const before = snapshot(model);
    using pretrained = readParameters(model);
    using finetuned = tinyParameters(finetunedValues);
    using tau = taskVector(pretrained, finetuned);
    const base = { model, pretrained, vectors: [tau], alphas: [0.1, 0.2] };
    await expect(chooseAlpha({ ...base, adequate: () => false, accuracy: () => 1 })).rejects.toMatchObject({
      code: 'E_INVALID_VALUE',
      message: expect.stringMatching(/No alpha is adequate: tried 0\.1, 0\.2/) as unknown,
    });
    expect(snapshot(model)).toEqual(before);
    await expect(
      chooseAlpha({
        ...base,
        adequate: async () => Promise.resolve(true),
        accuracy: async () => Promise.reject(new Error('eval failed')),
      }),
    ).rejects.toThrow('eval failed');
    expect(snapshot(model)).toEqual(before);
    await expect(
      chooseAlpha({
        ...base,
        adequate: () => {
          throw new Error('control failed');
        },
        accuracy: () => 1,
      }),
    ).rejects.toThrow('control failed');
    expect(snapshot(model)).toEqual(before);
    await expect(
      chooseAlpha({ ...base, alphas: [], adequate: () => true, accuracy: () => 1 }),
    ).rejects.toMatchObject({
      code: 'E_INVALID_VALUE',
    });
    await expect(
      chooseAlpha({ ...base, alphas: [0.1, Number.NaN], adequate: () => true, accuracy: () => 1 }),
    ).rejects.toMatchObject({
      code: 'E_INVALID_VALUE',
      message: expect.stringMatching(/alphas\[1\] is NaN/) as unknown,
    });
    expect(snapshot(model)).toEqual(before);
    model.dispose();
  });
});
