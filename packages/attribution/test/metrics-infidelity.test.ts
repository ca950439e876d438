import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Module, registerHook, TensorDict, type Key, type ModelKeys, type ModelNode } from '@tdhook/core';
import { seededTensor } from '@tdhook/testing';

import { infidelity, saliency, type InfidelityOptions, type SaliencyOptions } from '../src/index.js';
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

/** f(a, b) = relu(a·Wa + b·Wb)·Wo: two inputs (8 and 4 features), 3 outputs. */
class TwoInputs extends Module<[tf.Tensor, tf.Tensor]> {
  readonly a: Dense = this.registerModule('a', new Dense(seededTensor([8, 6], 21, 2), seededTensor([6], 22)));
  readonly b: Dense = this.registerModule('b', new Dense(seededTensor([4, 6], 23, 2), seededTensor([6], 24)));
  readonly out: Dense = this.registerModule(
    'out',
    new Dense(seededTensor([6, 3], 25, 2), seededTensor([3], 26)),
  );
  forward(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
    return this.out.call(tf.relu(tf.add(this.a.call(a), this.b.call(b))));
  }
}

/** Runs saliency and returns its result (inputs, model outputs, attributions); the caller disposes it. */
function attributed(
  model: ModelNode,
  entries: Record<string, tf.Tensor> | [string | string[], tf.Tensor][],
  batchShape: number[],
  options: SaliencyOptions = {},
  keys: ModelKeys = {},
): TensorDict {
  using prepared = saliency(options).prepare(model, keys);
  using data = new TensorDict(entries as never, { batchShape });
  return prepared.run(data);
}

/**
 * The infidelity of `attrs` by hand: noise k drawn as the docs say (`[samples, rows, ...features]`, TF.js seed
 * `seed + k + 1`), f evaluated on the perturbed batch with plain ops, the classes fixed at x.
 */
function byHand(
  f: (xs: tf.Tensor[]) => tf.Tensor,
  xs: tf.Tensor[],
  attrs: tf.Tensor[],
  classes: number[],
  {
    samples = 10,
    noiseScale = 0.01,
    seed = 0,
    normalize = false,
    divideBy = undefined as tf.Tensor[] | undefined,
  },
): tf.Tensor {
  return tf.tidy(() => {
    const rows = xs[0]?.shape[0] ?? 0;
    const units = f(xs).shape[1] ?? 0;
    const mask = tf.tensor2d(classes.map((c) => Array.from({ length: units }, (_, u) => (u === c ? 1 : 0))));
    const fx = tf.sum(tf.mul(f(xs), mask), 1);
    const noises = xs.map((x, k) =>
      tf.randomNormal([samples, ...x.shape], 0, noiseScale, 'float32', seed + k + 1),
    );
    const perturbed = xs.map((x, k) =>
      tf.reshape(tf.sub(tf.expandDims(x, 0), noises[k] as tf.Tensor), [samples * rows, ...x.shape.slice(1)]),
    );
    const fp = tf.sum(tf.mul(tf.reshape(f(perturbed), [samples, rows, units]), tf.expandDims(mask, 0)), 2);
    const change = tf.sub(tf.expandDims(fx, 0), fp);
    const dots = tf.addN(
      attrs.map((attr, k) => {
        const noise =
          divideBy === undefined
            ? (noises[k] as tf.Tensor)
            : tf.div(noises[k] as tf.Tensor, divideBy[k] as tf.Tensor);
        return tf.sum(tf.reshape(tf.mul(noise, tf.expandDims(attr, 0)), [samples, rows, -1]), 2);
      }),
    );
    const beta = normalize
      ? tf.div(tf.sum(tf.mul(dots, change), 0), tf.sum(tf.square(dots), 0))
      : tf.scalar(1);
    return tf.mean(tf.square(tf.sub(tf.mul(beta, dots), change)), 0);
  });
}

const classesOf = (logits: tf.Tensor): number[] => {
  const classes = tf.argMax(logits, -1);
  const values = [...classes.dataSync()];
  classes.dispose();
  return values;
};

/** The smallest and largest value of a tensor. */
function range(value: tf.Tensor): [number, number] {
  const values = [...value.dataSync()];
  return [Math.min(...values), Math.max(...values)];
}

function score(
  options: InfidelityOptions,
  data: TensorDict,
  key: Key = ['metrics', 'infidelity'],
): tf.Tensor {
  using result = infidelity(options).run(data);
  return tf.clone(result.getTensor(key));
}

describe('infidelity on the reference MLP with saliency', () => {
  it.each([
    ['abs saliency, 5 samples, noise 0.1', { absolute: true }, { samples: 5, noiseScale: 0.1, seed: 3 }],
    ['raw saliency, defaults', {}, {}],
    ['raw saliency, noise 0.5, normalized', {}, { noiseScale: 0.5, seed: 7, normalize: true }],
    ['abs saliency, normalized', { absolute: true }, { samples: 4, noiseScale: 0.2, normalize: true }],
  ] as const)('%s equals the hand computation', (_, method, metric) => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    using result = attributed(model, { input: tf.clone(x) }, [4], {
      ...method,
      target: { select: 'argmax' },
    });
    const classes = classesOf(result.getTensor('output'));
    const actual = score({ model, target: { select: 'argmax' }, ...metric }, result);
    const expected = byHand(
      (xs) => model.predict(xs[0] as tf.Tensor) as tf.Tensor,
      [x],
      [result.getTensor(['attr', 'input'])],
      classes,
      metric,
    );
    expect(actual.shape).toEqual([4]);
    expect(actual).toBeCloseToTensor(expected, { rtol: 1e-4, atol: 1e-9 });
    expect(range(actual)[0]).toBeGreaterThanOrEqual(0);
    tf.dispose([x, actual, expected]);
    model.dispose();
  });

  it('explains the class predicted at x, or the given classes', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    using result = attributed(model, { input: tf.clone(x) }, [4], { target: { select: [9, 0, 4, 7] } });
    const actual = score({ model, target: { select: [9, 0, 4, 7] }, noiseScale: 0.3 }, result);
    const expected = byHand(
      (xs) => model.predict(xs[0] as tf.Tensor) as tf.Tensor,
      [x],
      [result.getTensor(['attr', 'input'])],
      [9, 0, 4, 7],
      { noiseScale: 0.3 },
    );
    expect(actual).toBeCloseToTensor(expected, { rtol: 1e-4, atol: 1e-9 });
    tf.dispose([x, actual, expected]);
    model.dispose();
  });
});

describe('infidelity of a linear model', () => {
  const x = (): tf.Tensor => seededTensor([4, 16], 5, 4);

  it('is ~0 for input × gradient with multiplyByInputs (completeness), not for a wrong attribution', () => {
    const model = new Linear();
    using result = attributed(model, { input: x() }, [4], { target: { select: 1 }, multiplyByInputs: true });
    const exact = score({ model, target: { select: 1 }, multiplyByInputs: true, noiseScale: 0.1 }, result);
    expect(range(exact)[1]).toBeLessThan(1e-9);
    // The same attributions read as local ones are unfaithful.
    const local = score({ model, target: { select: 1 }, noiseScale: 0.1 }, result);
    expect(range(local)[0]).toBeGreaterThan(1e-4);
    tf.dispose([exact, local]);
    model.dispose();
  });

  it('is ~0 for gradients, also normalized, and equals the hand computation with multiplyByInputs and a baseline', () => {
    const model = new Linear();
    using result = attributed(model, { input: x() }, [4], { target: { select: 2 } });
    const gradients = score({ model, target: { select: 2 }, samples: 20, noiseScale: 0.5 }, result);
    const normalized = score({ model, target: { select: 2 }, normalize: true }, result);
    expect(range(gradients)[1]).toBeLessThan(1e-9);
    expect(range(normalized)[1]).toBeLessThan(1e-9);
    // Gradients read as global attributions with a baseline of 0.5: the hand formula, divided by x − 0.5.
    const global = score(
      { model, target: { select: 2 }, multiplyByInputs: true, baseline: 0.5, noiseScale: 0.1 },
      result,
    );
    const input = result.getTensor('input');
    const shift = tf.sub(input, 0.5);
    const expected = byHand(
      (xs) => model.call(xs[0] as tf.Tensor),
      [input],
      [result.getTensor(['attr', 'input'])],
      [2, 2, 2, 2],
      { noiseScale: 0.1, divideBy: [shift] },
    );
    expect(global).toBeCloseToTensor(expected, { rtol: 1e-4, atol: 1e-9 });
    tf.dispose([gradients, normalized, global, shift, expected]);
    model.dispose();
  });
});

describe('infidelity with several inputs', () => {
  const keys = { inKeys: ['a', 'b'] } as const;
  const entries = (): Record<string, tf.Tensor> => ({
    a: seededTensor([3, 8], 31, 4),
    b: seededTensor([3, 4], 32, 4),
  });

  it('sums the dot products over the inputs and perturbs them together (seeds seed, seed + 1)', () => {
    const model = new TwoInputs();
    using result = attributed(model, entries(), [3], { target: { select: 'argmax' }, absolute: true }, keys);
    const classes = classesOf(result.getTensor('output'));
    const actual = score({ model, keys, target: { select: 'argmax' }, noiseScale: 0.2, seed: 4 }, result);
    const xs = [result.getTensor('a'), result.getTensor('b')];
    const attrs = [result.getTensor(['attr', 'a']), result.getTensor(['attr', 'b'])];
    const expected = byHand(
      (ins) => model.call(ins[0] as tf.Tensor, ins[1] as tf.Tensor),
      xs,
      attrs,
      classes,
      { noiseScale: 0.2, seed: 4 },
    );
    expect(actual).toBeCloseToTensor(expected, { rtol: 1e-4, atol: 1e-9 });
    tf.dispose([actual, expected]);
    model.dispose();
  });

  it('perturbs only the inputs named', () => {
    const model = new TwoInputs();
    using result = attributed(model, entries(), [3], { target: { select: 0 }, inputs: ['a'] }, keys);
    const actual = score({ model, keys, target: { select: 0 }, inputs: ['a'], noiseScale: 0.3 }, result);
    const b = result.getTensor('b');
    const expected = byHand(
      (ins) => model.call(ins[0] as tf.Tensor, tf.tile(b, [(ins[0]?.shape[0] ?? 0) / 3, 1])),
      [result.getTensor('a')],
      [result.getTensor(['attr', 'a'])],
      [0, 0, 0],
      { noiseScale: 0.3 },
    );
    expect(actual).toBeCloseToTensor(expected, { rtol: 1e-4, atol: 1e-9 });
    tf.dispose([actual, expected]);
    model.dispose();
  });
});

describe('infidelity batching', () => {
  it.each([[[]], [[3]], [[2, 3]]] as const)('keeps the batch shape %j', (batchShape) => {
    const model = referenceMlp();
    const rows = batchShape.reduce<number>((total, size) => total * size, 1);
    const flat = seededTensor([rows, 16], 41, 4);
    using result = attributed(model, { input: tf.reshape(flat, [...batchShape, 16]) }, [...batchShape], {
      target: { select: 'argmax' },
      absolute: true,
    });
    const actual = score({ model, target: { select: 'argmax' }, samples: 3, noiseScale: 0.2 }, result);
    const attr = tf.reshape(result.getTensor(['attr', 'input']), [rows, 16]);
    const logits = tf.reshape(result.getTensor('output'), [rows, 10]);
    const expected = byHand(
      (xs) => model.predict(xs[0] as tf.Tensor) as tf.Tensor,
      [flat],
      [attr],
      classesOf(logits),
      { samples: 3, noiseScale: 0.2 },
    );
    expect(actual.shape).toEqual(batchShape);
    const shaped = tf.reshape(expected, [...batchShape]);
    expect(actual).toBeCloseToTensor(shaped, { rtol: 1e-4, atol: 1e-9 });
    tf.dispose([flat, actual, attr, logits, expected, shaped]);
    model.dispose();
  });

  it.each([
    [undefined, 1],
    [4, 5],
    [6, 4],
    [20, 1],
  ] as const)(
    'chunkSize %s makes %i model call(s) for 5 perturbations of 4 samples, same values',
    (chunkSize, calls) => {
      const model = new ModuleMlp();
      using result = attributed(model, { input: referenceInput('mlp') }, [4], {
        target: { select: 'argmax' },
        absolute: true,
      });
      const reference = score({ model, target: { select: 'argmax' }, samples: 5, noiseScale: 0.1 }, result);
      let count = 0;
      const handle = registerHook(model, '', 'forward', () => {
        count++;
      });
      const chunked = score(
        {
          model,
          target: { select: 'argmax' },
          samples: 5,
          noiseScale: 0.1,
          ...(chunkSize === undefined ? {} : { chunkSize }),
        },
        result,
      );
      handle.remove();
      expect(count).toBe(calls);
      expect(chunked).toBeCloseToTensor(reference, { rtol: 0, atol: 0 });
      tf.dispose([reference, chunked]);
      model.dispose();
    },
  );
});

describe('infidelity keys', () => {
  it('reads nested input, output and attribution keys, writes a nested outKey and leaves the data as it was', () => {
    const model = referenceMlp();
    const keys = { inKeys: [['obs', 'x']], outKeys: [['heads', 'logits']] } as const;
    using result = attributed(
      model,
      [[['obs', 'x'], referenceInput('mlp')]],
      [4],
      { targets: { actor: { select: 'argmax' } }, attributionKey: ['attributions', 'saliency'] },
      keys,
    );
    const before = result.keys().map((key) => key.join('.'));
    const values = tf.clone(result.getTensor(['attributions', 'saliency', 'actor', 'obs', 'x']));
    const actual = score(
      {
        model,
        keys,
        target: { output: ['heads', 'logits'], select: 'argmax' },
        attributionKey: ['attributions', 'saliency', 'actor'],
        outKey: ['scores', 'faith'],
      },
      result,
      ['scores', 'faith'],
    );
    expect(actual.shape).toEqual([4]);
    expect(result.keys().map((key) => key.join('.'))).toEqual(before);
    expect(result.getTensor(['attributions', 'saliency', 'actor', 'obs', 'x'])).toBeCloseToTensor(values, {
      rtol: 0,
      atol: 0,
    });
    const operator = infidelity({
      model,
      keys,
      target: { select: 'argmax' },
      attributionKey: ['attributions', 'saliency', 'actor'],
    });
    expect(operator.inKeys).toEqual([
      ['obs', 'x'],
      ['attributions', 'saliency', 'actor', 'obs', 'x'],
      ['heads', 'logits'],
    ]);
    expect(operator.outKeys).toEqual([['metrics', 'infidelity']]);
    tf.dispose([values, actual]);
    model.dispose();
  });

  it('reads labels for { labels } targets', () => {
    const model = referenceMlp();
    const labels = tf.tensor1d([1, 2, 3, 4], 'int32');
    using result = attributed(model, { input: referenceInput('mlp'), label: labels }, [4], {
      target: { select: { labels: 'label' } },
    });
    const actual = score({ model, target: { select: { labels: 'label' } }, noiseScale: 0.3 }, result);
    const direct = score({ model, target: { select: [1, 2, 3, 4] }, noiseScale: 0.3 }, result);
    expect(actual).toBeCloseToTensor(direct, { rtol: 0, atol: 0 });
    tf.dispose([actual, direct]);
    model.dispose();
  });
});

describe('infidelity errors', () => {
  it.each([
    ['samples 0', { samples: 0 }],
    ['samples 1.5', { samples: 1.5 }],
    ['samples true', { samples: true }],
    ['samples "3"', { samples: '3' }],
    ['noiseScale -1', { noiseScale: -1 }],
    ['noiseScale NaN', { noiseScale: Number.NaN }],
    ['chunkSize 0', { chunkSize: 0 }],
    ['normalize "yes"', { normalize: 'yes' }],
    ['a module target', { target: { module: 'fc1' } }],
    ['an unknown input', { inputs: ['nope'] }],
  ])('rejects %s when built', (_, options) => {
    const model = referenceMlp();
    const code = _ === 'an unknown input' ? 'E_MISSING_KEY' : 'E_INVALID_VALUE';
    expect(() =>
      infidelity({ model, target: { select: 'argmax' }, ...(options as object) }),
    ).toThrowTdhookError(code);
    model.dispose();
  });

  it('needs the attributions, the model output and the inputs', () => {
    const model = referenceMlp();
    const metric = infidelity({ model, target: { select: 'argmax' } });
    using result = attributed(model, { input: referenceInput('mlp') }, [4], { target: { select: 'argmax' } });
    using noAttr = result.exclude('attr');
    using noOutput = result.exclude('output');
    using noInput = result.exclude('input');
    expect(() => metric.run(noAttr)).toThrowTdhookError('E_MISSING_KEY', /Attribution/);
    expect(() => metric.run(noOutput)).toThrowTdhookError('E_MISSING_KEY', /Model output/);
    expect(() => metric.run(noInput)).toThrowTdhookError('E_MISSING_KEY', /Model input/);
    model.dispose();
  });

  it('rejects integer inputs and attributions of another shape', () => {
    const model = referenceMlp();
    const metric = infidelity({ model, target: { select: 0 } });
    using ints = new TensorDict(
      { input: tf.zeros([2, 16], 'int32'), output: tf.zeros([2, 10]), attr: { input: tf.zeros([2, 16]) } },
      { batchShape: [2] },
    );
    using wrong = new TensorDict(
      { input: tf.zeros([2, 16]), output: tf.zeros([2, 10]), attr: { input: tf.zeros([2, 8]) } },
      { batchShape: [2] },
    );
    expect(() => metric.run(ints)).toThrowTdhookError('E_INVALID_VALUE', /floating point/);
    expect(() => metric.run(wrong)).toThrowTdhookError('E_SHAPE_MISMATCH');
    model.dispose();
  });
});
