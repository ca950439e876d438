import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Module, registerHook, TensorDict, type Key, type ModelNode } from '@tdhook/core';
import { seededTensor } from '@tdhook/testing';

import { saliency, sensitivity, type SaliencyOptions, type SensitivityOptions } from '../src/index.js';
import { Dense, ModuleMlp, referenceInput, referenceMlp } from './reference-models.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

/** f(x) = x·W + b, 16 → 3. */
class Linear extends Module {
  readonly fc: Dense = this.registerModule(
    'fc',
    new Dense(seededTensor([16, 3], 11, 2), seededTensor([3], 12)),
  );
  forward(x: tf.Tensor): tf.Tensor {
    return this.fc.call(x);
  }
}

/** Runs saliency and returns its result (inputs, model outputs, attributions); the caller disposes it. */
function attributed(
  model: ModelNode,
  x: tf.Tensor,
  batchShape: number[],
  options: SaliencyOptions,
): TensorDict {
  using prepared = saliency(options).prepare(model);
  using data = new TensorDict({ input: x }, { batchShape });
  return prepared.run(data);
}

function score(
  options: SensitivityOptions,
  data: TensorDict,
  key: Key = ['metrics', 'sensitivity', 'input'],
): tf.Tensor {
  using result = sensitivity(options).run(data);
  return tf.clone(result.getTensor(key));
}

/** The smallest and largest value of a tensor. */
function range(value: tf.Tensor): [number, number] {
  const values = [...value.dataSync()];
  return [Math.min(...values), Math.max(...values)];
}

/**
 * Sensitivity by hand for gradient attributions of one class: the noise drawn as the docs say
 * (`U(−r, r)`, `[samples, rows, 16]`, TF.js seed `seed + 1`), gradients with tf.grad.
 */
function byHand(
  f: (x: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  unit: number,
  { radius = 0.02, samples = 1, seed = 0, norm = 'l1', reduction = 'max', absolute = false },
): tf.Tensor {
  return tf.tidy(() => {
    const rows = x.shape[0];
    const gradient = (input: tf.Tensor): tf.Tensor => {
      const g = tf.grad((value: tf.Tensor) => tf.sum(tf.gather(f(value), [unit], 1)))(input);
      return absolute ? tf.abs(g) : g;
    };
    const at = gradient(x);
    const noise = tf.randomUniform([samples, rows, 16], -radius, radius, 'float32', seed + 1);
    const moved = tf.reshape(gradient(tf.reshape(tf.add(tf.expandDims(x, 0), noise), [samples * rows, 16])), [
      samples,
      rows,
      16,
    ]);
    const difference = tf.sub(moved, tf.expandDims(at, 0));
    const size = (value: tf.Tensor): tf.Tensor =>
      norm === 'l1' ? tf.mean(tf.abs(value), -1) : tf.sqrt(tf.sum(tf.square(value), -1));
    const ratios = tf.div(size(difference), size(tf.expandDims(at, 0)));
    return reduction === 'max' ? tf.max(ratios, 0) : tf.mean(ratios, 0);
  });
}

describe('sensitivity of saliency on the reference MLP', () => {
  it.each([
    ['defaults', {}, {}],
    ['radius 0.5, seed 4', {}, { radius: 0.5, seed: 4 }],
    ['abs, l2, 5 samples, max', { absolute: true }, { radius: 0.3, samples: 5, norm: 'l2' }],
    ['abs, l1, 3 samples, mean', { absolute: true }, { radius: 0.3, samples: 3, reduction: 'mean' }],
  ] as const)('%s equals the hand computation', (_, method, metric) => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    const options = { ...method, target: { select: 3 } };
    using result = attributed(model, tf.clone(x), [4], options);
    const actual = score({ method: saliency(options), model, ...metric }, result);
    const expected = byHand((input) => model.apply(input) as tf.Tensor, x, 3, { ...method, ...metric });
    expect(actual.shape).toEqual([4]);
    expect(actual).toBeCloseToTensor(expected, { rtol: 1e-4, atol: 1e-7 });
    expect(range(actual)[0]).toBeGreaterThanOrEqual(0);
    tf.dispose([x, actual, expected]);
    model.dispose();
  });

  it('is exactly 0 for radius 0', () => {
    const model = referenceMlp();
    const method = saliency({ target: { select: 'argmax' } });
    using result = attributed(model, referenceInput('mlp'), [4], { target: { select: 'argmax' } });
    const zero = score({ method, model, radius: 0 }, result);
    expect(range(zero)).toEqual([0, 0]);
    const batched = score({ method, model, radius: 0, samples: 3, norm: 'l2' }, result);
    expect(range(batched)[1]).toBeLessThan(1e-6);
    tf.dispose([zero, batched]);
    model.dispose();
  });

  it('is exactly 0 for the gradients of a linear model, whatever the radius', () => {
    const model = new Linear();
    const method = saliency({ target: { select: 1 } });
    using result = attributed(model, seededTensor([4, 16], 5, 4), [4], { target: { select: 1 } });
    const actual = score({ method, model, radius: 1, samples: 4 }, result);
    expect(range(actual)).toEqual([0, 0]);
    tf.dispose(actual);
    model.dispose();
  });
});

describe('sensitivity runs', () => {
  it.each([1, 4])('the attribution method once more (one model call) for %i perturbation(s)', (samples) => {
    const model = new ModuleMlp();
    const method = saliency({ target: { select: 'argmax' } });
    using result = attributed(model, referenceInput('mlp'), [4], { target: { select: 'argmax' } });
    let calls = 0;
    const handle = registerHook(model, '', 'forward', () => {
      calls++;
    });
    const actual = score({ method, model, samples, radius: 0.1 }, result);
    handle.remove();
    expect(calls).toBe(1);
    expect(actual.shape).toEqual([4]);
    tf.dispose(actual);
    model.dispose();
  });

  it('takes a prepared model as the method, with the same values', () => {
    const model = referenceMlp();
    const options = { target: { select: 5 } } as const;
    using result = attributed(model, referenceInput('mlp'), [4], options);
    const configured = score({ method: saliency(options), model, radius: 0.2, seed: 9 }, result);
    let prepared: tf.Tensor;
    {
      using method = saliency(options).prepare(model);
      prepared = score({ method, radius: 0.2, seed: 9 }, result);
      expect(method.active).toBe(true);
    }
    expect(prepared).toBeCloseToTensor(configured, { rtol: 0, atol: 0 });
    tf.dispose([configured, prepared]);
    model.dispose();
  });

  it.each([[[]], [[3]], [[2, 3]]] as const)('keeps the batch shape %j', (batchShape) => {
    const model = referenceMlp();
    const rows = batchShape.reduce<number>((total, size) => total * size, 1);
    const flat = seededTensor([rows, 16], 41, 4);
    const options = { target: { select: 2 }, absolute: true } as const;
    using result = attributed(model, tf.reshape(flat, [...batchShape, 16]), [...batchShape], options);
    const actual = score({ method: saliency(options), model, samples: 2, radius: 0.3 }, result);
    const expected = byHand((input) => model.apply(input) as tf.Tensor, flat, 2, {
      samples: 2,
      radius: 0.3,
      absolute: true,
    });
    const shaped = tf.reshape(expected, [...batchShape]);
    expect(actual.shape).toEqual(batchShape);
    expect(actual).toBeCloseToTensor(shaped, { rtol: 1e-4, atol: 1e-7 });
    tf.dispose([flat, actual, expected, shaped]);
    model.dispose();
  });
});

describe('sensitivity targets', () => {
  it('expands { labels } targets with the data; per-sample index arrays need samples: 1', () => {
    const model = referenceMlp();
    const labels = tf.tensor1d([1, 1, 1, 1], 'int32');
    using result = attributed(model, referenceInput('mlp'), [4], { target: { select: 1 } });
    using withLabels = result.clone().set('label', labels);
    const byLabel = score(
      { method: saliency({ target: { select: { labels: 'label' } } }), model, samples: 3, radius: 0.3 },
      withLabels,
    );
    const byIndex = score(
      { method: saliency({ target: { select: 1 } }), model, samples: 3, radius: 0.3 },
      result,
    );
    expect(byLabel).toBeCloseToTensor(byIndex, { rtol: 0, atol: 0 });
    const perSample = saliency({ target: { select: [1, 1, 1, 1] } });
    expect(() => sensitivity({ method: perSample, model, samples: 2 }).run(result)).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
    );
    tf.dispose([byLabel, byIndex]);
    model.dispose();
  });
});

describe('sensitivity keys', () => {
  it('compares every attribution of a multi-target method under its key, and leaves the data as it was', () => {
    const model = referenceMlp();
    const options = {
      targets: { low: { select: 1 }, high: { select: 8 } },
      attributionKey: ['attributions', 'saliency'],
    } as const;
    using result = attributed(model, referenceInput('mlp'), [4], options);
    const before = result.keys().map((key) => key.join('.'));
    const operator = sensitivity({
      method: saliency(options),
      model,
      attributionKey: ['attributions', 'saliency'],
      outKey: ['scores', 'robustness'],
      radius: 0.2,
    });
    expect(operator.inKeys).toEqual([
      ['input'],
      ['attributions', 'saliency', 'low', 'input'],
      ['attributions', 'saliency', 'high', 'input'],
    ]);
    expect(operator.outKeys).toEqual([['scores', 'robustness']]);
    using scores = operator.run(result);
    expect(scores.batchShape).toEqual([4]);
    expect(scores.keys()).toEqual([
      ['scores', 'robustness', 'low', 'input'],
      ['scores', 'robustness', 'high', 'input'],
    ]);
    for (const [name, unit] of [
      ['low', 1],
      ['high', 8],
    ] as const) {
      using single = attributed(model, referenceInput('mlp'), [4], { target: { select: unit } });
      const alone = score({ method: saliency({ target: { select: unit } }), model, radius: 0.2 }, single);
      expect(scores.getTensor(['scores', 'robustness', name, 'input'])).toBeCloseToTensor(alone, {
        rtol: 1e-5,
        atol: 1e-7,
      });
      alone.dispose();
    }
    expect(result.keys().map((key) => key.join('.'))).toEqual(before);
    model.dispose();
  });

  it('with a prepared model, compares every tensor under attributionKey in the data', () => {
    const model = referenceMlp();
    using result = attributed(model, referenceInput('mlp'), [4], {
      targets: { a: { select: 0 }, b: { select: 1 } },
    });
    using method = saliency({ targets: { a: { select: 0 }, b: { select: 1 } } }).prepare(model);
    using scores = sensitivity({ method }).run(result);
    expect(scores.keys()).toEqual([
      ['metrics', 'sensitivity', 'a', 'input'],
      ['metrics', 'sensitivity', 'b', 'input'],
    ]);
    model.dispose();
  });
});

describe('sensitivity errors', () => {
  it.each([
    ['radius -1', { radius: -1 }],
    ['radius Infinity', { radius: Number.POSITIVE_INFINITY }],
    ['samples 0', { samples: 0 }],
    ['samples 2.5', { samples: 2.5 }],
    ['samples true', { samples: true }],
    ['seed -1', { seed: -1 }],
    ["norm 'l3'", { norm: 'l3' }],
    ["reduction 'min'", { reduction: 'min' }],
    ['an attributionKey the method does not write', { attributionKey: 'nope' }],
    ['no model', { model: undefined }],
    ['a method that is not one', { method: {} }],
  ])('rejects %s when built', (_, options) => {
    const model = referenceMlp();
    const base = { method: saliency({ target: { select: 0 } }), model };
    expect(() => sensitivity({ ...base, ...(options as object) })).toThrowTdhookError('E_INVALID_VALUE');
    model.dispose();
  });

  it('rejects a model next to a prepared model', () => {
    const model = referenceMlp();
    {
      using method = saliency({ target: { select: 0 } }).prepare(model);
      expect(() => sensitivity({ method, model })).toThrowTdhookError('E_INVALID_VALUE', /already prepared/);
    }
    model.dispose();
  });

  it('needs the attributions and float inputs', () => {
    const model = referenceMlp();
    const metric = sensitivity({ method: saliency({ target: { select: 0 } }), model });
    using result = attributed(model, referenceInput('mlp'), [4], { target: { select: 0 } });
    using noAttr = result.exclude('attr');
    using ints = new TensorDict(
      { input: tf.zeros([2, 16], 'int32'), attr: { input: tf.zeros([2, 16]) } },
      { batchShape: [2] },
    );
    expect(() => metric.run(noAttr)).toThrowTdhookError('E_MISSING_KEY', /Attribution/);
    expect(() => metric.run(ints)).toThrowTdhookError('E_INVALID_VALUE', /floating point/);
    model.dispose();
  });
});
