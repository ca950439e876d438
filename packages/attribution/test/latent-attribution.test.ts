// SPEC 97: latent attribution — targets and sources at module outputs — against tf.grad by hand.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { TensorDict, type ModelNode } from '@tdhook/core';
import { loadReferenceModel, referenceWeights } from '@tdhook/testing';

import { saliency, type SaliencyOptions } from '../src/index.js';
import { ModuleMlp, referenceInput, referenceMlp } from './reference-models.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

const tolerance = { rtol: 1e-5, atol: 1e-7 };

/** The reference MLP's pieces by hand: fc1 = x·W1 + b1, fc2 = relu(fc1)·W2 + b2, out = relu(fc2)·W3 + b3. */
function mlpByHand(): {
  fc1: (x: tf.Tensor) => tf.Tensor;
  fc2: (h1: tf.Tensor) => tf.Tensor;
  out: (h2: tf.Tensor) => tf.Tensor;
  dispose: () => void;
} {
  const reference = loadReferenceModel('mlp');
  const weights = ['fc1', 'fc2', 'fc3'].map((name) => referenceWeights(reference, name));
  const dense = (index: number, x: tf.Tensor): tf.Tensor => {
    const [kernel, bias] = weights[index] as [tf.Tensor, tf.Tensor];
    return tf.add(tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D), bias);
  };
  return {
    fc1: (x) => dense(0, x),
    fc2: (h1) => dense(1, tf.relu(h1)),
    out: (h2) => dense(2, tf.relu(h2)),
    dispose: () => {
      tf.dispose(weights.flat());
    },
  };
}

/** Runs saliency and returns copies of the requested attributions. */
function attributions(model: ModelNode, options: SaliencyOptions, keys: readonly string[]): tf.Tensor[] {
  using prepared = saliency(options).prepare(model);
  using data = new TensorDict({ input: referenceInput('mlp') }, { batchShape: [4] });
  using result = prepared.run(data);
  expect(
    result
      .keys()
      .filter((key) => key[0] === 'attr')
      .map((key) => key[1]),
  ).toEqual([...keys]);
  return keys.map((key) => tf.clone(result.getTensor(['attr', key])));
}

describe.each([
  ['Layers MLP', referenceMlp],
  ['Module MLP', (): ModuleMlp => new ModuleMlp()],
] as const)('latent attribution on the %s', (_, build) => {
  it('a module target: ∂Σfc2/∂x', () => {
    const model = build();
    const hand = mlpByHand();
    const x = referenceInput('mlp');
    const expected = tf.grad((input: tf.Tensor) => tf.sum(hand.fc2(hand.fc1(input))))(x);
    const [actual] = attributions(model, { target: { module: 'fc2', select: 'sum' } }, ['input']);
    expect(actual).toBeCloseToTensor(expected, tolerance);
    tf.dispose([x, expected, actual]);
    hand.dispose();
    model.dispose();
  });

  it('a module source without inputs: ∂Σout/∂fc1', () => {
    const model = build();
    const hand = mlpByHand();
    const h1 = tf.tidy(() => hand.fc1(referenceInput('mlp')));
    const expected = tf.grad((value: tf.Tensor) => tf.sum(hand.out(hand.fc2(value))))(h1);
    const [actual] = attributions(model, { target: { select: 'sum' }, modules: ['fc1'], inputs: [] }, [
      'fc1',
    ]);
    expect(actual).toBeCloseToTensor(expected, tolerance);
    tf.dispose([h1, expected, actual]);
    hand.dispose();
    model.dispose();
  });

  it('both: ∂Σfc2/∂fc1, and the input next to it', () => {
    const model = build();
    const hand = mlpByHand();
    const x = referenceInput('mlp');
    const h1 = tf.tidy(() => hand.fc1(x));
    const atFc1 = tf.grad((value: tf.Tensor) => tf.sum(hand.fc2(value)))(h1);
    const atInput = tf.grad((input: tf.Tensor) => tf.sum(hand.fc2(hand.fc1(input))))(x);
    const [fc1] = attributions(
      model,
      { target: { module: 'fc2', select: 'sum' }, modules: ['fc1'], inputs: [] },
      ['fc1'],
    );
    expect(fc1).toBeCloseToTensor(atFc1, tolerance);
    const both = attributions(model, { target: { module: 'fc2', select: 'sum' }, modules: ['fc1'] }, [
      'input',
      'fc1',
    ]);
    expect(both[0]).toBeCloseToTensor(atInput, tolerance);
    expect(both[1]).toBeCloseToTensor(atFc1, tolerance);
    tf.dispose([x, h1, atFc1, atInput, fc1, ...both]);
    hand.dispose();
    model.dispose();
  });

  it('one unit of a module target: ∂fc2[…, 5]/∂x', () => {
    const model = build();
    const hand = mlpByHand();
    const x = referenceInput('mlp');
    const expected = tf.grad((input: tf.Tensor) =>
      tf.sum(tf.slice(hand.fc2(hand.fc1(input)), [0, 5], [-1, 1])),
    )(x);
    const [actual] = attributions(model, { target: { module: 'fc2', select: 5 } }, ['input']);
    expect(actual).toBeCloseToTensor(expected, tolerance);
    tf.dispose([x, expected, actual]);
    hand.dispose();
    model.dispose();
  });
});
