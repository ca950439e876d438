import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { registerHook, TensorDict, type ModelNode } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';
import { seededTensor } from '@tdhook/testing';

import { activationMaximisation, type ActivationMaximisationOptions } from '../src/index.js';
import { referenceInput, referenceMlp } from './reference-models.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

/** Runs the method on `x` (copied) and returns a copy of the optimised input. */
function optimise(model: ModelNode, x: tf.Tensor, options: ActivationMaximisationOptions): tf.Tensor {
  using prepared = activationMaximisation(options).prepare(model);
  using data = new TensorDict({ input: tf.clone(x) }, { batchShape: x.shape.slice(0, 1) });
  using result = prepared.run(data);
  return tf.clone(result.getTensor(['attr', 'input']));
}

/** fc2's output of the reference MLP: a model sharing its layers, so the same ops run. */
function fc2Of(model: tfl.LayersModel, x: tf.Tensor): tf.Tensor {
  const upToFc2 = tfl.model({
    inputs: model.inputs,
    outputs: model.getLayer('fc2').output,
  });
  return upToFc2.apply(x) as tf.Tensor;
}

/** The same ascent written by hand with tf.grad. */
function handAscent(
  model: tfl.LayersModel,
  x: tf.Tensor,
  {
    alpha,
    steps,
    min,
    max,
    useSign,
  }: { alpha: number; steps: number; min: number; max: number; useSign: boolean },
): tf.Tensor {
  const objective = tf.grad((input: tf.Tensor) => tf.sum(tf.slice(fc2Of(model, input), [0, 0], [-1, 1])));
  let current = tf.clone(x);
  for (let step = 0; step < steps; step++) {
    const next = tf.tidy(() => {
      const gradient = objective(current);
      const moved = tf.add(current, tf.mul(useSign ? tf.sign(gradient) : gradient, alpha));
      return tf.minimum(tf.maximum(moved, min), max);
    });
    current.dispose();
    current = next;
  }
  return current;
}

const unitZero = (model: tfl.LayersModel, x: tf.Tensor): number =>
  tf.tidy(() => tf.sum(tf.slice(fc2Of(model, x), [0, 0], [-1, 1])).dataSync()[0] as number);

describe('activationMaximisation', () => {
  it('raises the targeted unit (SPEC 98: modules fc2, unit 0)', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    const optimised = optimise(model, x, { modules: ['fc2'], select: 0 });
    expect(unitZero(model, optimised)).toBeGreaterThan(unitZero(model, x) + 1e-3);
    tf.dispose([x, optimised]);
    model.dispose();
  });

  it.each([
    { alpha: 0.1, steps: 10, min: -Infinity, max: Infinity, useSign: false },
    { alpha: 0.05, steps: 6, min: -0.5, max: 0.5, useSign: false },
    { alpha: 0.02, steps: 5, min: -1, max: 1, useSign: true },
  ])('equals a hand-written loop of tf.grad steps: %j', (settings) => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    const expected = handAscent(model, x, settings);
    const actual = optimise(model, x, { modules: ['fc2'], select: 0, ...settings });
    expect(actual).toBeCloseToTensor(expected, { rtol: 0, atol: 0 });
    tf.dispose([x, expected, actual]);
    model.dispose();
  });

  it('respects the bounds', () => {
    const model = referenceMlp();
    const x = tf.tidy(() => tf.clipByValue(seededTensor([3, 16], 5, 2), -0.2, 0.2));
    const optimised = optimise(model, x, {
      modules: ['fc2'],
      select: 'sum',
      alpha: 1,
      steps: 4,
      min: -0.2,
      max: 0.2,
    });
    const [low, high] = tf.tidy(() => [tf.min(optimised).dataSync()[0], tf.max(optimised).dataSync()[0]]);
    expect(low).toBeGreaterThanOrEqual(-0.2 - 1e-7);
    expect(high).toBeLessThanOrEqual(0.2 + 1e-7);
    // With α = 1 most coordinates end on a bound.
    const onBound = tf.tidy(
      () => tf.sum(tf.cast(tf.greater(tf.abs(optimised), 0.2 - 1e-6), 'int32')).dataSync()[0],
    );
    expect(onBound).toBeGreaterThan(24);
    tf.dispose([x, optimised]);
    model.dispose();
  });

  it('maximises a model output as well (target), one model pass per step, reporting progress', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    let forwardCalls = 0;
    const progress: [number, number][] = [];
    const method = activationMaximisation({
      target: { select: 3 },
      steps: 4,
      onProgress: (step, total) => progress.push([step, total]),
    });
    expect(method.requirements.modelPasses).toBe(4);
    const logit3 = (input: tf.Tensor): number =>
      tf.tidy(
        () => tf.sum(tf.slice(model.predict(input) as tf.Tensor, [0, 3], [-1, 1])).dataSync()[0] as number,
      );
    const optimised = (() => {
      using _counting = registerHook(model, 'fc3', 'forward', () => {
        forwardCalls++;
      });
      using prepared = method.prepare(model);
      using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [4] });
      using result = prepared.run(data);
      expect(result.getTensor('input')).toBeCloseToTensor(x, { rtol: 0, atol: 0 }); // input left as it was
      return tf.clone(result.getTensor(['attr', 'input']));
    })();
    expect(forwardCalls).toBe(4);
    expect(progress).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    expect(logit3(optimised)).toBeGreaterThan(logit3(x));
    tf.dispose([x, optimised]);
    model.dispose();
  });

  it('leaves the model as it was', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    const before = model.predict(x) as tf.Tensor;
    {
      using prepared = activationMaximisation({ modules: ['fc2'], select: 0 }).prepare(model);
      expect(prepared.program).toEqual([{ path: 'fc2', direction: 'forward', operation: 'capture' }]);
      using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [4] });
      prepared.run(data).dispose();
    }
    for (const layer of model.layers) expect(hookCounts(layer as unknown as ModelNode).forward).toBe(0);
    const after = model.predict(x) as tf.Tensor;
    expect(after).toBeCloseToTensor(before, { rtol: 0, atol: 0 });
    tf.dispose([x, before, after]);
    model.dispose();
  });

  it('a missing labels key is a typed error that leaks nothing', () => {
    const model = referenceMlp();
    using prepared = activationMaximisation({ modules: ['fc2'], select: { labels: 'label' } }).prepare(model);
    using data = new TensorDict({ input: referenceInput('mlp') }, { batchShape: [4] });
    expect(() => prepared.run(data)).toThrowTdhookError('E_MISSING_KEY');
    model.dispose();
  });

  it('plans the optimised inputs as its outputs', () => {
    const plan = activationMaximisation({ modules: ['fc2'], attributionKey: 'optimised' }).plan();
    expect(plan.outKeys).toEqual([['optimised', 'input']]);
    expect(plan.hooks).toEqual([{ path: 'fc2', direction: 'forward', operation: 'capture' }]);
  });

  it.each([
    [{}],
    [{ modules: [] }],
    [{ modules: [''] }],
    [{ modules: ['fc2'], select: -1 }],
    [{ modules: ['fc2'], alpha: Number.NaN }],
    [{ modules: ['fc2'], steps: 0 }],
    [{ modules: ['fc2'], steps: 1.5 }],
    [{ modules: ['fc2'], min: 1, max: 0 }],
    [{ modules: ['fc2'], useSign: 'yes' }],
    [{ modules: ['fc2'], onProgress: 3 }],
    [{ modules: ['fc2'], inputs: [] }],
  ])('rejects %j', (options) => {
    expect(() =>
      activationMaximisation(options as unknown as ActivationMaximisationOptions),
    ).toThrowTdhookError('E_INVALID_VALUE');
  });
});
