import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { Module, TensorDict, type ModelNode } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';
import { findReferenceResult, loadReferenceModel, referenceWeights, tensorFromSpec } from '@tdhook/testing';
import { findGradient } from '@tdhook/tfjs-internals';

import { guidedBackprop, saliency } from '../src/index.js';
import { Dense, ModuleMlp, referenceCnn, referenceInput, referenceMlp } from './reference-models.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

const tolerance = { rtol: 1e-4, atol: 1e-6 };

const targetsOf = {
  argmax: { select: 'argmax' },
  class3: { select: 3 },
  per_sample_9_0_4_7: { select: [9, 0, 4, 7] },
} as const;

type Spec = keyof typeof targetsOf;

/** The guided-backprop attribution of `model` on `x` (batch of 4), as a new tensor. */
function attribute(model: ModelNode, x: tf.Tensor, options: Parameters<typeof guidedBackprop>[0]): tf.Tensor {
  using prepared = guidedBackprop(options).prepare(model);
  // The TensorDict owns what it is given: hand it a copy.
  using data = new TensorDict({ input: tf.clone(x) }, { batchShape: x.shape.slice(0, 1) });
  using result = prepared.run(data);
  return tf.clone(result.getTensor(['attr', 'input']));
}

function expectMatchesCaptum(model: ModelNode, name: 'mlp' | 'cnn', spec: Spec): void {
  const x = referenceInput(name);
  const expected = tensorFromSpec(
    findReferenceResult(name, `guided_backprop__logits__${spec}`).attributionTfjs,
  );
  const actual = attribute(model, x, { target: targetsOf[spec] });
  expect(actual).toBeCloseToTensor(expected, tolerance);
  tf.dispose([x, expected, actual]);
}

/** The reference MLP with relu fused into fc1 and fc2 (no separate activation layers). */
function fusedMlp(): tfl.Sequential {
  const reference = referenceMlp();
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 64, inputShape: [16], activation: 'relu', name: 'fc1' }),
      tfl.layers.dense({ units: 64, activation: 'relu', name: 'fc2' }),
      tfl.layers.dense({ units: 10, name: 'fc3' }),
    ],
  });
  for (const name of ['fc1', 'fc2', 'fc3'])
    model.getLayer(name).setWeights(reference.getLayer(name).getWeights());
  reference.dispose();
  return model;
}

/** The reference CNN with relu fused into conv1 and conv2. */
function fusedCnn(): tfl.Sequential {
  const reference = referenceCnn();
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        inputShape: [16, 16, 1],
        activation: 'relu',
        name: 'conv1',
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: 'pool1' }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv2' }),
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
      tfl.layers.dense({ units: 10, name: 'fc' }),
    ],
  });
  for (const name of ['conv1', 'conv2', 'fc'])
    model.getLayer(name).setWeights(reference.getLayer(name).getWeights());
  reference.dispose();
  return model;
}

describe('guidedBackprop matches captum GuidedBackprop', () => {
  it.each(['argmax', 'class3', 'per_sample_9_0_4_7'] as const)(
    'reference MLP (Layers), target %s',
    (spec) => {
      const model = referenceMlp();
      expectMatchesCaptum(model, 'mlp', spec);
      model.dispose();
    },
  );

  it.each(['argmax', 'class3', 'per_sample_9_0_4_7'] as const)(
    'reference MLP (Module, Lambda relu), target %s',
    (spec) => {
      const model = new ModuleMlp();
      expectMatchesCaptum(model, 'mlp', spec);
      model.dispose();
    },
  );

  it.each(['argmax', 'class3'] as const)('reference CNN (Layers), target %s', (spec) => {
    const model = referenceCnn();
    expectMatchesCaptum(model, 'cnn', spec);
    model.dispose();
  });

  it.each(['argmax', 'class3'] as const)('fused-relu MLP and CNN twins, target %s', (spec) => {
    for (const [build, name] of [
      [fusedMlp, 'mlp'],
      [fusedCnn, 'cnn'],
    ] as const) {
      const model = build();
      expectMatchesCaptum(model, name, spec);
      model.dispose();
    }
  });

  it('a standalone ReLU layer (tf.layers.reLU) is guided too', () => {
    const reference = referenceMlp();
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 64, inputShape: [16], name: 'fc1' }),
        tfl.layers.reLU({ name: 'relu1' }),
        tfl.layers.dense({ units: 64, name: 'fc2' }),
        tfl.layers.reLU({ name: 'relu2' }),
        tfl.layers.dense({ units: 10, name: 'fc3' }),
      ],
    });
    for (const name of ['fc1', 'fc2', 'fc3'])
      model.getLayer(name).setWeights(reference.getLayer(name).getWeights());
    reference.dispose();
    expectMatchesCaptum(model, 'mlp', 'argmax');
    model.dispose();
  });
});

describe('guidedBackprop by hand', () => {
  // z1 = x·W1 + b1, h1 = relu(z1), z2 = h1·W2 + b2, h2 = relu(z2), y = h2·W3 + b3; y[t] the target.
  function handGuided(x: tf.Tensor, t: number): { atFc1: tf.Tensor; atInput: tf.Tensor } {
    return tf.tidy(() => {
      const reference = loadReferenceModel('mlp');
      const [w1, b1] = referenceWeights(reference, 'fc1') as [tf.Tensor2D, tf.Tensor];
      const [w2, b2] = referenceWeights(reference, 'fc2') as [tf.Tensor2D, tf.Tensor];
      const [w3] = referenceWeights(reference, 'fc3') as [tf.Tensor2D, tf.Tensor];
      const z1 = tf.add(tf.matMul(x as tf.Tensor2D, w1), b1);
      const z2 = tf.add(tf.matMul(tf.relu(z1) as tf.Tensor2D, w2), b2);
      const guide = (g: tf.Tensor, z: tf.Tensor): tf.Tensor2D =>
        tf.mul<tf.Tensor2D>(tf.relu(g), tf.cast(tf.greater(z, 0), 'float32'));
      const gh2 = tf.tile(tf.transpose(tf.slice(w3, [0, t], [-1, 1])), [x.shape[0], 1]);
      const gz2 = guide(gh2, z2);
      const gz1 = guide(tf.matMul(gz2, w2, false, true), z1);
      return { atFc1: gz1, atInput: tf.matMul(gz1, w1, false, true) };
    });
  }

  it('latent: modules fc1 with no inputs, and the input, equal the hand computation', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    const hand = handGuided(x, 3);
    {
      using prepared = guidedBackprop({ target: { select: 3 }, modules: ['fc1'], inputs: [] }).prepare(model);
      using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [4] });
      using result = prepared.run(data);
      expect(result.has(['attr', 'input'])).toBe(false);
      expect(result.getTensor(['attr', 'fc1'])).toBeCloseToTensor(hand.atFc1, tolerance);
    }
    const atInput = attribute(model, x, { target: { select: 3 } });
    expect(atInput).toBeCloseToTensor(hand.atInput, tolerance);
    tf.dispose([x, hand.atFc1, hand.atInput, atInput]);
    model.dispose();
  });

  it('latent at a ReLU module: the gradient reaching its output, not yet guided (as captum hooks a ReLU)', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    const atRelu = tf.tidy(() => {
      // The ReLU at relu1 guides what it passes back to fc1; its own output sees W2ᵀ·(guided gradient at z2).
      const reference = loadReferenceModel('mlp');
      const [w1, b1] = referenceWeights(reference, 'fc1') as [tf.Tensor2D, tf.Tensor];
      const [w2, b2] = referenceWeights(reference, 'fc2') as [tf.Tensor2D, tf.Tensor];
      const [w3] = referenceWeights(reference, 'fc3') as [tf.Tensor2D, tf.Tensor];
      const z2 = tf.add(
        tf.matMul(tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, w1), b1)) as tf.Tensor2D, w2),
        b2,
      );
      const gh2 = tf.tile(tf.transpose(tf.slice(w3, [0, 3], [-1, 1])), [4, 1]);
      const gz2 = tf.mul<tf.Tensor2D>(tf.relu(gh2), tf.cast(tf.greater(z2, 0), 'float32'));
      return tf.matMul(gz2, w2, false, true);
    });
    using prepared = guidedBackprop({ target: { select: 3 }, modules: ['relu1'], inputs: [] }).prepare(model);
    using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [4] });
    using result = prepared.run(data);
    expect(result.getTensor(['attr', 'relu1'])).toBeCloseToTensor(atRelu, tolerance);
    // Negative entries: the gradient at a ReLU's output is not clamped there.
    expect(tf.tidy(() => tf.min(atRelu).dataSync()[0] ?? 0)).toBeLessThan(0);
    tf.dispose([x, atRelu]);
    model.dispose();
  });

  it('multiplyByInputs multiplies by the input', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    const plain = attribute(model, x, { target: { select: 3 } });
    const times = attribute(model, x, { target: { select: 3 }, multiplyByInputs: true });
    const expected = tf.mul(plain, x);
    expect(times).toBeCloseToTensor(expected, { rtol: 1e-6, atol: 0 });
    tf.dispose([x, plain, times, expected]);
    model.dispose();
  });
});

describe('what guidedBackprop declares', () => {
  it('one hook per module whose output is a ReLU, a pattern without the model', () => {
    const model = referenceMlp();
    const method = guidedBackprop({ target: { select: 'argmax' } });
    const guided = {
      direction: 'forward',
      operation: 'guided-relu',
      prepend: true,
      detail: { relu: 'module' },
    };
    expect(method.plan({}, model).hooks).toEqual([
      { path: 'relu1', ...guided },
      { path: 'relu2', ...guided },
    ]);
    expect((method.describe({ model }) as { hooks: unknown }).hooks).toEqual(method.plan({}, model).hooks);
    expect(method.plan().hooks).toEqual([
      expect.objectContaining({ path: '*', direction: 'forward', operation: 'guided-relu', prepend: true }),
    ]);
    const fused = fusedMlp();
    expect(method.plan({}, fused).hooks.map(({ path, detail }) => [path, detail?.relu])).toEqual([
      ['fc1', 'fused activation'],
      ['fc2', 'fused activation'],
    ]);
    fused.dispose();
    model.dispose();
  });

  it('does not guide a ReLU hidden inside a module of another kind (it is not declared)', () => {
    // A Module that calls tf.relu in its own forward: no module outputs a ReLU, so nothing is guided and the
    // result is the plain gradient.
    class Block extends Module {
      readonly fc1: Dense;
      readonly fc2: Dense;
      readonly fc3: Dense;
      constructor() {
        super();
        const reference = loadReferenceModel('mlp');
        this.fc1 = this.registerModule('fc1', new Dense(...referenceWeights(reference, 'fc1')));
        this.fc2 = this.registerModule('fc2', new Dense(...referenceWeights(reference, 'fc2')));
        this.fc3 = this.registerModule('fc3', new Dense(...referenceWeights(reference, 'fc3')));
      }
      forward(x: tf.Tensor): tf.Tensor {
        return this.fc3.call(tf.relu(this.fc2.call(tf.relu(this.fc1.call(x)))));
      }
    }
    const model = new Block();
    expect(
      guidedBackprop({})
        .plan({}, model)
        .hooks.filter((spec) => spec.operation === 'guided-relu'),
    ).toEqual([]);
    const x = referenceInput('mlp');
    using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [4] });
    using guided = guidedBackprop({ target: { select: 3 } }).prepare(model);
    using plain = saliency({ target: { select: 3 } }).prepare(model);
    using fromGuided = guided.run(data);
    using fromPlain = plain.run(data);
    expect(fromGuided.getTensor(['attr', 'input'])).toBeCloseToTensor(
      fromPlain.getTensor(['attr', 'input']),
      {
        rtol: 0,
        atol: 0,
      },
    );
    x.dispose();
    model.dispose();
  });
});

describe('guidedBackprop leaves everything as it was', () => {
  it('declares its hooks, guides only inside run(), restores the hooks and leaves the Relu gradient', () => {
    const model = fusedCnn();
    const x = referenceInput('cnn');
    const plainGradient = (): tf.Tensor =>
      tf.grad((input: tf.Tensor) => tf.sum(tf.gather(model.apply(input) as tf.Tensor, [3], 1)))(x);
    const before = plainGradient();
    const reluBefore = findGradient('Relu');
    {
      using prepared = guidedBackprop({ target: { select: 3 }, modules: ['conv2'] }).prepare(model);
      const guided = { direction: 'forward', operation: 'guided-relu', prepend: true };
      expect(prepared.program).toEqual([
        { path: 'conv1', ...guided, detail: { relu: 'fused activation' } },
        { path: 'conv2', ...guided, detail: { relu: 'fused activation' } },
        { path: 'conv2', direction: 'forward', operation: 'capture' },
      ]);
      expect(hookCounts(model.getLayer('conv2') as unknown as ModelNode).forward).toBe(2);
      // Between runs, prepared or not, plain gradients are plain.
      const during = plainGradient();
      expect(during).toBeCloseToTensor(before, { rtol: 0, atol: 0 });
      using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [4] });
      prepared.run(data).dispose();
      during.dispose();
    }
    expect(findGradient('Relu')).toBe(reluBefore);
    for (const layer of model.layers) expect(hookCounts(layer as unknown as ModelNode).forward).toBe(0);
    const after = plainGradient();
    expect(after).toBeCloseToTensor(before, { rtol: 0, atol: 0 });
    tf.dispose([x, before, after]);
    model.dispose();
  });

  it('restores the Relu gradient when the run fails', () => {
    const model = referenceMlp();
    const reluBefore = findGradient('Relu');
    using prepared = guidedBackprop({ target: { select: 12 } }).prepare(model);
    using data = new TensorDict({ input: tf.zeros([2, 16]) }, { batchShape: [2] });
    expect(() => prepared.run(data)).toThrowTdhookError('E_INVALID_VALUE', /out of range/);
    expect(findGradient('Relu')).toBe(reluBefore);
    model.dispose();
  });

  it('rejects a non-boolean multiplyByInputs', () => {
    expect(() => guidedBackprop({ multiplyByInputs: 'yes' as unknown as boolean })).toThrowTdhookError(
      'E_INVALID_VALUE',
    );
  });
});
