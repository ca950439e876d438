import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Lambda, TensorDict } from '@tdhook/core';
import { findReferenceResult, seededTensor } from '@tdhook/testing';

import {
  classTargets,
  integratedGradients,
  quadrature,
  type IntegratedGradientsOptions,
} from '../src/index.js';
import { referenceInput, referenceMlp } from './reference-models.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

const tolerance = { rtol: 1e-4, atol: 1e-6 };
// Same computation, other chunking or target strategy: only the float32 summation order differs.
const same = { rtol: 1e-5, atol: 1e-7 };

/** Runs integrated gradients on the reference MLP for its reference input and returns the result. */
function runMlp(options: IntegratedGradientsOptions, data?: TensorDict): TensorDict {
  const model = referenceMlp();
  try {
    using prepared = integratedGradients(options).prepare(model);
    if (data !== undefined) return prepared.run(data);
    using input = new TensorDict({ input: referenceInput('mlp') }, { batchShape: [4] });
    return prepared.run(input);
  } finally {
    model.dispose();
  }
}

describe('integrated gradients: targets, chunks and strategies', () => {
  it('ten named classes in one call equal ten single-target calls', () => {
    using all = runMlp({ targets: classTargets([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), baselines: 0 });
    for (let unit = 0; unit < 10; unit++) {
      using single = runMlp({ target: { select: unit }, baselines: 0 });
      expect(all.getTensor(['attr', `class${unit}`, 'input'])).toBeCloseToTensor(
        single.getTensor(['attr', 'input']),
        same,
      );
    }
  });

  it.each([1, 3, 4, 7, 64, 1000])(
    'chunkSize %i gives the same numbers, and reports progress',
    (chunkSize) => {
      using whole = runMlp({ target: { select: [9, 0, 4, 7] }, baselines: 0, convergenceDelta: true });
      const progress: [number, number][] = [];
      using chunked = runMlp({
        target: { select: [9, 0, 4, 7] },
        baselines: 0,
        convergenceDelta: true,
        chunkSize,
        onProgress: (done, total) => progress.push([done, total]),
      });
      expect(chunked.getTensor(['attr', 'input'])).toBeCloseToTensor(
        whole.getTensor(['attr', 'input']),
        same,
      );
      expect(chunked.getTensor('convergence_delta')).toBeCloseToTensor(
        whole.getTensor('convergence_delta'),
        same,
      );
      // 4 samples × 50 steps in passes of at most chunkSize rows.
      const passes =
        chunkSize >= 4
          ? Math.ceil(50 / Math.min(50, Math.floor(chunkSize / 4)))
          : 50 * Math.ceil(4 / chunkSize);
      expect(progress).toEqual(Array.from({ length: passes }, (_, index) => [index + 1, passes]));
    },
  );

  it("strategies 'shared' and 'loop' agree, argmax pinned at x in every chunk", () => {
    const targets = {
      three: { select: 3 },
      predicted: { select: 'argmax' },
      labelled: { select: { labels: 'y' } },
    } as const;
    const run = (strategy: 'shared' | 'loop'): TensorDict => {
      using data = new TensorDict(
        { input: referenceInput('mlp'), y: tf.tensor1d([9, 0, 4, 7], 'int32') },
        { batchShape: [4] },
      );
      return runMlp({ targets, baselines: 0, strategy, chunkSize: 12 }, data);
    };
    using shared = run('shared');
    using loop = run('loop');
    for (const name of Object.keys(targets)) {
      expect(loop.getTensor(['attr', name, 'input'])).toBeCloseToTensor(
        shared.getTensor(['attr', name, 'input']),
        same,
      );
    }
    const argmax = findReferenceResult('mlp', 'integrated_gradients_gausslegendre__logits__argmax');
    const perSample = findReferenceResult(
      'mlp',
      'integrated_gradients_gausslegendre__logits__per_sample_9_0_4_7',
    );
    expect(shared.getTensor(['attr', 'predicted', 'input'])).toBeCloseToTensor(
      argmax.attributionTfjs,
      tolerance,
    );
    expect(shared.getTensor(['attr', 'labelled', 'input'])).toBeCloseToTensor(
      perSample.attributionTfjs,
      tolerance,
    );
  });

  it('baselines from a one-sample tensor, a TensorDict key and the default key agree with captum', () => {
    const expected = findReferenceResult(
      'mlp',
      'integrated_gradients_gausslegendre__logits__class3',
    ).attributionTfjs;
    const zero = tf.zeros([16]);
    using fromTensor = runMlp({ target: { select: 3 }, baselines: zero });
    zero.dispose();
    const withKeys = (): TensorDict =>
      new TensorDict(
        { input: referenceInput('mlp'), zero: tf.zeros([4, 16]), baseline: { input: tf.zeros([4, 1]) } },
        { batchShape: [4] },
      );
    using keyData = withKeys();
    using fromKey = runMlp({ target: { select: 3 }, baselines: { input: { key: 'zero' } } }, keyData);
    using defaultData = withKeys();
    using fromDefault = runMlp({ target: { select: 3 } }, defaultData);
    for (const result of [fromTensor, fromKey, fromDefault]) {
      expect(result.getTensor(['attr', 'input'])).toBeCloseToTensor(expected, tolerance);
    }
  });
});

describe('integrated gradients: closed forms', () => {
  const w = [0.5, -2, 3];
  const linear = (weights: tf.Tensor): Lambda =>
    new Lambda('linear', (x: tf.Tensor) =>
      tf.add(tf.squeeze(tf.matMul(x as tf.Tensor2D, weights as tf.Tensor2D), [1]), 0.25),
    );

  it.each([[[]], [[3]], [[2, 3]]] as const)(
    'a linear model gives (x − b) ⊙ w, or w, for batch shape %j',
    (batchShape) => {
      const weights = tf.tensor2d(w, [3, 1]);
      const model = linear(weights);
      const shape = [...batchShape, 3];
      const x = seededTensor(shape, 1, 1);
      const b = seededTensor([3], 2, 1);
      const expected = tf.tidy(() => tf.mul(tf.sub(x, b), tf.tensor1d(w)));
      const wide = tf.tidy(() => tf.broadcastTo(tf.tensor1d(w), shape));
      for (const multiplyByInputs of [true, false]) {
        using prepared = integratedGradients({
          baselines: b,
          multiplyByInputs,
          convergenceDelta: true,
        }).prepare(model);
        using data = new TensorDict({ input: tf.clone(x) }, { batchShape });
        using result = prepared.run(data);
        expect(result.getTensor(['attr', 'input'])).toBeCloseToTensor(
          multiplyByInputs ? expected : wide,
          tolerance,
        );
        // Gauss–Legendre is exact on a linear path: completeness holds to rounding.
        const delta = result.getTensor('convergence_delta');
        expect(delta.shape).toEqual(batchShape);
        if (multiplyByInputs) expect(Math.max(...delta.dataSync().map(Math.abs))).toBeLessThan(2e-6);
      }
      tf.dispose([weights, x, b, expected, wide]);
    },
  );

  it('matches captum for batch shapes () and [2, 2]', () => {
    const reference = findReferenceResult('mlp', 'integrated_gradients_gausslegendre__logits__argmax');
    const x = referenceInput('mlp');
    const expected = tf.tensor(reference.attributionTfjs.data);
    for (const batchShape of [[], [2, 2]]) {
      const input = tf.tidy(() =>
        batchShape.length === 0 ? tf.reshape(tf.slice(x, 0, 1), [16]) : tf.reshape(x, [2, 2, 16]),
      );
      using data = new TensorDict({ input }, { batchShape });
      using result = runMlp({ target: { select: 'argmax' }, baselines: 0 }, data);
      const want = tf.tidy(() =>
        batchShape.length === 0
          ? tf.reshape(tf.slice(expected, 0, 1), [16])
          : tf.reshape(expected, [2, 2, 16]),
      );
      expect(result.getTensor(['attr', 'input'])).toBeCloseToTensor(want, tolerance);
      want.dispose();
    }
    tf.dispose([x, expected]);
  });

  it('conditional IG moves only the interpolated inputs', () => {
    // f(a, c) = Σ a ⊙ c: with c held at x, ∂f/∂a = c along the path, so IG(a) = (a − a₀) ⊙ c.
    const model = new Lambda('bilinear', (a: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(a, c), 1));
    const keys = { inKeys: ['a', 'c'] };
    const a = seededTensor([2, 5], 3, 1);
    const c = seededTensor([2, 5], 4, 1);
    const a0 = seededTensor([2, 5], 5, 1);
    const data = (): TensorDict =>
      new TensorDict(
        { a: tf.clone(a), c: tf.clone(c), baseline: { a: tf.clone(a0), c: tf.zeros([2, 5]) } },
        { batchShape: [2] },
      );
    {
      using prepared = integratedGradients({
        interpolate: ['a'],
        inputs: ['a', 'c'],
        convergenceDelta: true,
      }).prepare(model, keys);
      using input = data();
      using result = prepared.run(input);
      const expectedA = tf.tidy(() => tf.mul(tf.sub(a, a0), c));
      expect(result.getTensor(['attr', 'a'])).toBeCloseToTensor(expectedA, tolerance);
      expect(result.getTensor(['attr', 'c'])).toBeCloseToTensor(
        { shape: [2, 5], data: new Array(10).fill(0) },
        tolerance,
      );
      expect(result.getTensor('convergence_delta')).toBeCloseToTensor([0, 0], { rtol: 0, atol: 2e-6 });
      expectedA.dispose();
    }
    {
      // Without the multiplication, c's path-averaged gradient is the mean of a along the path, (a₀ + a)/2.
      using prepared = integratedGradients({
        interpolate: ['a'],
        inputs: ['a', 'c'],
        multiplyByInputs: false,
      }).prepare(model, keys);
      using input = data();
      using result = prepared.run(input);
      const mean = tf.tidy(() => tf.div(tf.add(a, a0), 2));
      expect(result.getTensor(['attr', 'c'])).toBeCloseToTensor(mean, tolerance);
      mean.dispose();
    }
    {
      // Both interpolated from 0: each gets half of a ⊙ c.
      using prepared = integratedGradients({ baselines: 0 }).prepare(model, keys);
      using input = data();
      using result = prepared.run(input);
      const half = tf.tidy(() => tf.div(tf.mul(a, c), 2));
      expect(result.getTensor(['attr', 'a'])).toBeCloseToTensor(half, tolerance);
      expect(result.getTensor(['attr', 'c'])).toBeCloseToTensor(half, tolerance);
      half.dispose();
    }
    tf.dispose([a, c, a0]);
  });

  it('module sources get the path-averaged gradient (captum InternalInfluence)', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    const steps = 8;
    {
      using prepared = integratedGradients({
        target: { select: 3 },
        baselines: 0,
        modules: ['fc1'],
        multiplyByInputs: false,
        steps,
      }).prepare(model);
      using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [4] });
      using result = prepared.run(data);
      // By hand: Σᵢ wᵢ ∂f₃/∂h at h = fc1(αᵢ x).
      const { alphas, weights } = quadrature('gausslegendre', steps);
      const layer = (name: string, input: tf.Tensor): tf.Tensor =>
        model.getLayer(name).apply(input) as tf.Tensor;
      const rest = (h: tf.Tensor): tf.Tensor =>
        tf.sum(tf.slice(layer('fc3', layer('relu2', layer('fc2', layer('relu1', h)))), [0, 3], [-1, 1]));
      const expected = tf.tidy(() =>
        alphas
          .map((alpha, i) => tf.mul(tf.grad(rest)(layer('fc1', tf.mul(x, alpha))), weights[i] as number))
          .reduce((sum, g) => tf.add(sum, g)),
      );
      expect(result.getTensor(['attr', 'fc1'])).toBeCloseToTensor(expected, tolerance);
      expected.dispose();
    }
    x.dispose();
    model.dispose();
  });
});

describe('integrated gradients: errors', () => {
  const run = (options: IntegratedGradientsOptions, entries: Record<string, unknown> = {}): number => {
    const model = referenceMlp();
    try {
      using prepared = integratedGradients(options).prepare(model);
      using data = new TensorDict({ input: referenceInput('mlp'), ...entries }, { batchShape: [4] });
      using result = prepared.run(data);
      return result.keys().length;
    } finally {
      model.dispose();
    }
  };

  it('a missing baseline says how to add one', () => {
    expect(() => run({ target: { select: 3 } })).toThrowTdhookError('E_MISSING_KEY', 'baselines: 0');
    expect(() => run({ target: { select: 3 }, baselines: { key: 'nope' } })).toThrowTdhookError(
      'E_MISSING_KEY',
      '"nope"',
    );
  });

  it('a baseline of the wrong shape is a ShapeMismatchError', () => {
    const wrong = tf.zeros([3, 16]);
    expect(() => run({ target: { select: 3 }, baselines: wrong })).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      '[3,16]',
    );
    wrong.dispose();
    expect(() =>
      run({ target: { select: 3 } }, { baseline: { input: tf.zeros([4, 15]) } }),
    ).toThrowTdhookError('E_SHAPE_MISMATCH');
  });

  it('an unknown target output or interpolated input is a MissingKeyError', () => {
    expect(() => run({ target: { output: 'nope', select: 3 }, baselines: 0 })).toThrowTdhookError(
      'E_MISSING_KEY',
    );
    expect(() => run({ target: { select: 3 }, baselines: 0, interpolate: ['nope'] })).toThrowTdhookError(
      'E_MISSING_KEY',
      'interpolate',
    );
  });

  it('invalid options are refused at configure time', () => {
    const bad: unknown[] = [
      { multiplyByInputs: 'yes' },
      { convergenceDelta: 1 },
      { baselines: 'zero' },
      { baselines: Number.NaN },
      { baselines: { input: 'zero' } },
      { interpolate: [] },
      { onProgress: 5 },
      { modules: ['fc1'] },
      { chunkSize: 0 },
      { strategy: 'both' },
    ];
    for (const options of bad) {
      expect(() => integratedGradients(options as IntegratedGradientsOptions)).toThrowTdhookError(
        'E_INVALID_VALUE',
      );
    }
  });

  it('plans its baseline and delta keys and its passes', () => {
    const method = integratedGradients({
      targets: classTargets([1, 2]),
      convergenceDelta: true,
      chunkSize: 10,
    });
    const plan = method.plan({ inKeys: ['input'], outKeys: ['logits'] });
    expect(plan.inKeys).toContainEqual(['baseline', 'input']);
    expect(plan.outKeys).toEqual(
      expect.arrayContaining([
        ['attr', 'class1', 'input'],
        ['convergence_delta', 'class1'],
        ['convergence_delta', 'class2'],
      ]),
    );
    expect(method.requirements).toEqual({ modelPasses: 6, gradients: 'required' });
    expect(
      integratedGradients({ baselines: 0, strategy: 'loop', targets: classTargets([1, 2]) }).requirements
        .modelPasses,
    ).toBe(3);
    expect(integratedGradients({ baselines: 0 }).plan().inKeys).toEqual([['input']]);
  });
});
