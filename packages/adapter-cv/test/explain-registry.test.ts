// explainImages runs methods from a registry: the six built-ins by short name or id, third-party methods by id.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { integratedGradients, noiseTunnel, saliency, type OutputGradientFromData } from '@tdhook/attribution';
import { createMethodRegistry, TensorDict, type MethodFactory } from '@tdhook/core';
import { defineMethod } from '@tdhook/core/plugin';

import {
  explainDefaults,
  explainImages,
  methodDisplay,
  visionMethodId,
  visionMethodNames,
  visionMethodRegistry,
} from '../src/index.js';
import { maxDifference } from './max-difference.js';
import { useMnistDigits } from './mnist-digits.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

const mnist = useMnistDigits();
const labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

interface TestPluginOptions {
  readonly target?: unknown;
  readonly scale?: number;
  /** Where the "attribution" goes, and its shape: the input's, or one value per sample. */
  readonly key?: string;
  readonly perSample?: boolean;
  readonly publishOutputs?: boolean;
}

/** A third-party method written against @tdhook/core only: attribution = scale × input. */
const scaledInput: MethodFactory<TestPluginOptions> = defineMethod<TestPluginOptions>({
  contract: 'tdhook.method/1',
  id: 'test/scaled-input',
  summary: 'scale × input, for tests',
  configure: (options) => ({ scale: 2, key: 'attr', perSample: false, publishOutputs: true, ...options }),
  plan: ({ key = 'attr' }, model) => ({
    hooks: [],
    inKeys: model.inKeys,
    outKeys: [[key, 'input']],
  }),
  bind: ({ scale = 2, key = 'attr', perSample = false, publishOutputs = true }, context) => ({
    run: (data) => {
      const result = publishOutputs
        ? context.model.run(data)
        : new TensorDict({}, { batchShape: data.batchShape });
      const input = data.getTensor('input');
      result.set(
        [key, 'input'],
        tf.tidy(() => (perSample ? tf.sum(input, [1, 2, 3]) : tf.mul(input, scale))),
      );
      return result;
    },
  }),
});

describe('explainImages with a method registry', () => {
  it('registers the six built-ins explicitly, in a new registry each time', () => {
    const registry = visionMethodRegistry();
    expect(registry.list().map(({ id }) => id)).toEqual(visionMethodNames.map(visionMethodId));
    expect(visionMethodNames.map(visionMethodId)).toEqual([
      'attribution/saliency',
      'attribution/integrated-gradients',
      'attribution/noise-tunnel',
      'attribution/guided-backprop',
      'attribution/grad-cam',
      'attribution/lrp',
    ]);
    // Nothing registered itself on import, and registries are independent values.
    expect(createMethodRegistry().list()).toEqual([]);
    registry.use(scaledInput);
    expect(visionMethodRegistry().has('test/scaled-input')).toBe(false);
    expect(visionMethodId('test/scaled-input')).toBe('test/scaled-input');
  });

  it('runs a third-party method by id: its attribution, the model’s scores, argmax targets, a signed display', () => {
    const registry = visionMethodRegistry().use(scaledInput);
    const explanation = explainImages(mnist.model, mnist.digits, { method: 'test/scaled-input', registry });
    const expected = tf.mul(mnist.digits, 2);
    expect(maxDifference(explanation.attribution, expected)).toBe(0);
    const logits = mnist.model.predict(mnist.digits) as tf.Tensor;
    expect(maxDifference(explanation.scores, logits)).toBeLessThan(1e-5);
    expect(explanation.target).toEqual(labels);
    expect(explanation).toMatchObject({
      method: 'test/scaled-input',
      id: 'test/scaled-input',
      display: { signed: true, reduce: 'sum' },
      // The target reaches the plugin in @tdhook/attribution's form; its own defaults are filled in.
      options: { target: { select: 'argmax' }, scale: 2, key: 'attr', perSample: false },
    });
    explanation.dispose();
    // methodOptions reach the plugin; a method that publishes no scores gets the model's predictions.
    const tripled = explainImages(mnist.model, mnist.digits, {
      method: 'test/scaled-input',
      registry,
      target: 4,
      methodOptions: { scale: 3, publishOutputs: false },
    });
    const expectedTripled = tf.mul(mnist.digits, 3);
    expect(maxDifference(tripled.attribution, expectedTripled)).toBe(0);
    expect(maxDifference(tripled.scores, logits)).toBeLessThan(1e-5);
    expect(tripled.target).toEqual(new Array(10).fill(4));
    expect(tripled.options).toMatchObject({ target: { select: 4 }, scale: 3 });
    tf.dispose([expected, expectedTripled, logits]);
    tripled.dispose();
  });

  it('refuses, with E_CV_METHOD, an unregistered id and methods that write no image attribution', () => {
    const registry = visionMethodRegistry().use(scaledInput);
    expect(() =>
      explainImages(mnist.model, mnist.digits, { method: 'test/missing', registry }),
    ).toThrowTdhookError('E_CV_METHOD', /No method 'test\/missing' is registered.*test\/scaled-input/);
    expect(() =>
      explainImages(mnist.model, mnist.digits, {
        method: 'test/scaled-input',
        registry,
        methodOptions: { key: 'norms' },
      }),
    ).toThrowTdhookError('E_CV_METHOD', /writes norms\/input, not an attribution at attr\/input/);
    expect(() =>
      explainImages(mnist.model, mnist.digits, {
        method: 'test/scaled-input',
        registry,
        methodOptions: { perSample: true },
      }),
    ).toThrowTdhookError('E_CV_METHOD', /shaped \[10\], not like the images \[10, 28, 28, 1\]/);
    // A built-in missing from a custom registry is named the same way.
    const onlySaliency = createMethodRegistry().use(saliency);
    expect(() =>
      explainImages(mnist.model, mnist.digits, { method: 'lrp', registry: onlySaliency }),
    ).toThrowTdhookError('E_CV_METHOD', /No method 'attribution\/lrp' is registered/);
  });

  it('runs a built-in by id as by short name, merges methodOptions, and leaves defaults to configure', () => {
    const byName = explainImages(mnist.model, mnist.digits, { method: 'ig', steps: 8 });
    const byId = explainImages(mnist.model, mnist.digits, {
      method: 'attribution/integrated-gradients',
      steps: 8,
    });
    expect(maxDifference(byName.attribution, byId.attribution)).toBe(0);
    expect(byId.display).toEqual(methodDisplay.ig);
    byId.dispose();
    const trapezoid = explainImages(mnist.model, mnist.digits, {
      method: 'ig',
      steps: 8,
      methodOptions: { method: 'riemann_trapezoid' },
    });
    using prepared = integratedGradients({
      target: { select: 'argmax' },
      steps: 8,
      method: 'riemann_trapezoid',
      baselines: 0,
      chunkSize: 256,
    }).prepare(mnist.model);
    using data = new TensorDict({ input: tf.clone(mnist.digits) }, { batchShape: [10] });
    using result = prepared.run(data);
    expect(maxDifference(trapezoid.attribution, result.getTensor(['attr', 'input']))).toBe(0);
    expect(maxDifference(trapezoid.attribution, byName.attribution)).toBeGreaterThan(1e-4);
    trapezoid.dispose();
    byName.dispose();
    // Steps and samples left out are the methods' own defaults, set once in their configure. Two digits:
    // 50 steps and 10 samples on all ten would take most of a minute on the cpu backend.
    const two = tf.slice(mnist.digits, [0, 0, 0, 0], [2, -1, -1, -1]);
    const ig = explainImages(mnist.model, two, { method: 'ig' });
    expect(ig.options).toMatchObject({ steps: integratedGradients({}).options.steps, baselines: 0 });
    expect(integratedGradients({}).options.steps).toBe(50);
    ig.dispose();
    const smooth = explainImages(mnist.model, two, { method: 'smoothgrad' });
    expect(smooth.options).toMatchObject({
      samples: noiseTunnel(saliency({}), {}).options.samples,
      seed: 1,
    });
    smooth.dispose();
    two.dispose();
  });
});

describe('explainImages options', () => {
  it('fills the defaults it owns from explainDefaults', () => {
    expect(explainDefaults).toEqual({
      target: 'argmax',
      baseline: 0,
      noise: 0.15,
      seed: 1,
      composite: 'epsilonPlus',
      normalisation: 'unit',
      fit: 'stretch',
    });
    expect(Object.isFrozen(explainDefaults)).toBe(true);
    const two = tf.slice(mnist.digits, [0], [2]);
    for (const [method, expected] of [
      ['ig', { baselines: explainDefaults.baseline }],
      ['smoothgrad', { seed: explainDefaults.seed }],
      ['lrp', { composite: explainDefaults.composite }],
    ] as const) {
      const knobs = method === 'ig' ? { steps: 2 } : method === 'smoothgrad' ? { samples: 2 } : {};
      const explanation = explainImages(mnist.model, two, { method, ...knobs });
      expect(explanation.options, method).toMatchObject(expected);
      explanation.dispose();
    }
    two.dispose();
  });

  it('refuses a target in methodOptions (E_INVALID_VALUE): the target option is the one explained', () => {
    const registry = visionMethodRegistry().use(scaledInput);
    for (const method of ['saliency', 'test/scaled-input']) {
      expect(() =>
        explainImages(mnist.model, mnist.digits, {
          method,
          registry,
          target: 3,
          methodOptions: { target: { select: 5 } },
        }),
      ).toThrowTdhookError(
        'E_INVALID_VALUE',
        /methodOptions sets target.*Give the class as the target option/,
      );
    }
  });

  it('leaks nothing when the method cannot be described for a reason of its own (not a TdhookError)', () => {
    const registry = visionMethodRegistry().use(scaledInput);
    const undescribable = {
      describe: () => {
        throw new RangeError('acme: no description today');
      },
    };
    // The test setup's leak guard fails the test if the attribution or the scores stay behind.
    expect(() =>
      explainImages(mnist.model, mnist.digits, {
        method: 'test/scaled-input',
        registry,
        methodOptions: { extra: undescribable },
      }),
    ).toThrow(/acme: no description today/);
  });

  it('passes output gradients chosen from the run’s data through to the method, as fixed ones', () => {
    const halve = (gradient: tf.Tensor): tf.Tensor => tf.mul(gradient, 0.5);
    const fromData: OutputGradientFromData = { inKeys: ['input'], fromData: () => halve };
    const fixed = explainImages(mnist.model, mnist.digits, {
      method: 'saliency',
      outputGradients: { conv2: halve },
    });
    const chosen = explainImages(mnist.model, mnist.digits, {
      method: 'saliency',
      outputGradients: { conv2: fromData },
    });
    const plain = explainImages(mnist.model, mnist.digits, { method: 'saliency' });
    expect(maxDifference(chosen.attribution, fixed.attribution)).toBe(0);
    // saliency is |gradient|: halving the gradient at conv2 halves the map.
    const halfPlain = tf.mul(plain.attribution, 0.5);
    expect(maxDifference(fixed.attribution, halfPlain)).toBeLessThan(1e-6);
    expect(chosen.options).toMatchObject({
      outputGradients: {
        conv2: { inKeys: ['input'], fromData: { callback: 'outputGradients.conv2.fromData' } },
      },
    });
    expect(fixed.options).toMatchObject({
      outputGradients: { conv2: { callback: 'outputGradients.conv2' } },
    });
    tf.dispose([halfPlain]);
    for (const explanation of [fixed, chosen, plain]) explanation.dispose();
  });
});
