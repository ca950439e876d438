import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { TensorDict, Workflow, type HookSpec, type MethodLike } from '@tdhook/core';
import { captureRunner, defineMethod } from '@tdhook/core/plugin';

import {
  integratedGradients,
  noiseTunnel,
  noiseTunnelMethod,
  saliency,
  type NoiseTunnelKind,
  type NoiseTunnelOptions,
  type WrappedMethod,
} from '../src/index.js';
import { referenceInput, referenceMlp } from './reference-models.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

const tolerance = { rtol: 1e-4, atol: 1e-6 };
const samples = 6;
const stdev = 0.3;
const seed = 11;

/** The gradient of logit 3 at each noisy copy by plain tf.grad, `[samples, 4, 16]`, with the documented noise. */
function handGradients(model: tfl.Sequential, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const noise = tf.randomNormal([samples, ...x.shape], 0, stdev, 'float32', seed);
    const logit3 = (input: tf.Tensor): tf.Tensor =>
      tf.sum(tf.slice(model.apply(input) as tf.Tensor, [0, 3], [-1, 1]));
    return tf.stack(tf.unstack(tf.add(x, noise)).map((noisy) => tf.grad(logit3)(noisy)));
  });
}

function run(model: tfl.Sequential, method: MethodLike, x: tf.Tensor): TensorDict {
  using prepared = method.prepare(model);
  using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [x.shape[0]] });
  return prepared.run(data);
}

describe('noise tunnel', () => {
  it.each([
    ['smoothgrad', (g: tf.Tensor) => tf.mean(g, 0)],
    ['smoothgrad_sq', (g: tf.Tensor) => tf.mean(tf.square(g), 0)],
    ['vargrad', (g: tf.Tensor) => tf.sub(tf.mean(tf.square(g), 0), tf.square(tf.mean(g, 0)))],
  ] as const)(
    '%s over saliency equals the aggregate of tf.grad on the same noisy inputs',
    (kind, aggregate) => {
      const model = referenceMlp();
      const x = referenceInput('mlp');
      const expected = tf.tidy(() => aggregate(handGradients(model, x)));
      const logits = tf.tidy(() => model.apply(x) as tf.Tensor);
      {
        using result = run(
          model,
          noiseTunnel(saliency({ target: { select: 3 } }), { samples, stdev, seed, kind }),
          x,
        );
        expect(result.getTensor(['attr', 'input'])).toBeCloseToTensor(expected, tolerance);
        // Other outputs are the clean input's.
        expect(result.getTensor('output')).toBeCloseToTensor(logits, tolerance);
        expect(result.getTensor('input')).toBeCloseToTensor(x, { rtol: 0, atol: 0 });
      }
      tf.dispose([x, expected, logits]);
      model.dispose();
    },
  );

  it('gives the same numbers in passes of fewer copies, and again for the same seed', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    const method = (samplesPerPass?: number, runSeed = seed): MethodLike =>
      noiseTunnel(saliency({ target: { select: 3 } }), {
        samples,
        stdev,
        seed: runSeed,
        kind: 'vargrad',
        ...(samplesPerPass === undefined ? {} : { samplesPerPass }),
      });
    using whole = run(model, method(), x);
    for (const samplesPerPass of [1, 2, 4]) {
      using split = run(model, method(samplesPerPass), x);
      expect(split.getTensor(['attr', 'input'])).toBeCloseToTensor(
        whole.getTensor(['attr', 'input']),
        tolerance,
      );
    }
    using other = run(model, method(undefined, seed + 1), x);
    const difference = tf.tidy(
      () =>
        tf
          .max(tf.abs(tf.sub(other.getTensor(['attr', 'input']), whole.getTensor(['attr', 'input']))))
          .dataSync()[0],
    );
    expect(difference).toBeGreaterThan(1e-4);
    // Seed 0 too (TF.js alone would take a numeric 0 as "draw a random seed").
    using zero = run(model, method(undefined, 0), x);
    using zeroAgain = run(model, method(undefined, 0), x);
    expect(zeroAgain.getTensor(['attr', 'input'])).toBeCloseToTensor(zero.getTensor(['attr', 'input']), {
      rtol: 0,
      atol: 0,
    });
    x.dispose();
    model.dispose();
  });

  it('stdev 0 reproduces the wrapped method, outputs and convergence delta included', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    const wrapped: (WrappedMethod & MethodLike)[] = [
      saliency({ target: { select: 'argmax' }, multiplyByInputs: true }),
      integratedGradients({ target: { select: 'argmax' }, baselines: 0, steps: 8, convergenceDelta: true }),
    ];
    for (const method of wrapped) {
      using plain = run(model, method, x);
      using tunnelled = run(model, noiseTunnel(method, { samples: 3, stdev: 0 }), x);
      const names = (td: TensorDict): string[] =>
        td
          .keys()
          .map((key) => key.join('.'))
          .sort();
      expect(names(tunnelled)).toEqual(names(plain));
      for (const key of plain.keys()) {
        expect(tunnelled.getTensor(key)).toBeCloseToTensor(plain.getTensor(key), tolerance);
      }
    }
    x.dispose();
    model.dispose();
  });

  it('works over integrated gradients: the mean of IG at each noisy input', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    const ig = integratedGradients({
      target: { select: 3 },
      baselines: 0,
      steps: 16,
      convergenceDelta: true,
    });
    const noise = tf.randomNormal([samples, 4, 16], 0, stdev, 'float32', seed);
    const copies = tf.unstack(noise);
    const perCopy = copies.map((n) => {
      const noisy = tf.add(x, n);
      using result = run(model, ig, noisy);
      noisy.dispose();
      return tf.clone(result.getTensor(['attr', 'input']));
    });
    const expected = tf.tidy(() => tf.mean(tf.stack(perCopy), 0));
    {
      using clean = run(model, ig, x);
      using result = run(model, noiseTunnel(ig, { samples, stdev, seed }), x);
      expect(result.getTensor(['attr', 'input'])).toBeCloseToTensor(expected, tolerance);
      expect(result.getTensor('convergence_delta')).toBeCloseToTensor(
        clean.getTensor('convergence_delta'),
        tolerance,
      );
    }
    tf.dispose([x, noise, expected, ...perCopy, ...copies]);
    model.dispose();
  });

  it('follows labels and nested batch shapes', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    const labels = tf.tensor1d([3, 3, 3, 3], 'int32');
    const expected = tf.tidy(() => tf.reshape(tf.mean(handGradients(model, x), 0), [2, 2, 16]));
    {
      using prepared = noiseTunnel(saliency({ target: { select: { labels: 'y' } } }), {
        samples,
        stdev,
        seed,
      }).prepare(model);
      using data = new TensorDict(
        { input: tf.reshape(x, [2, 2, 16]), y: tf.reshape(labels, [2, 2]) },
        { batchShape: [2, 2] },
      );
      using result = prepared.run(data);
      expect(result.getTensor(['attr', 'input'])).toBeCloseToTensor(expected, tolerance);
    }
    tf.dispose([x, labels, expected]);
    model.dispose();
  });

  it('wraps a method whose runner collects (captureRunner): the tunnel runs the copies itself', () => {
    const spec: HookSpec & { readonly direction: 'forward' } = {
      path: 'fc1',
      direction: 'forward',
      operation: 'capture',
    };
    // Publishes the output of fc1 as an attribution, so that the tunnel averages it over the copies.
    const captureFc1 = defineMethod<null>({
      contract: 'tdhook.method/1',
      id: 'test/capture-fc1',
      plan: (_options, model) => ({
        hooks: [spec],
        inKeys: model.inKeys,
        outKeys: [...model.outKeys, ['attr', 'fc1']],
        collects: true,
      }),
      bind: (_options, context) => {
        let captured: tf.Tensor | undefined;
        context.hook(spec, (output) => {
          captured?.dispose();
          captured = tf.keep(tf.clone(output as tf.Tensor));
        });
        return captureRunner(context.model, (data) => {
          const value = captured as tf.Tensor;
          captured = undefined;
          // The model saw one flattened batch axis; give the capture the data's batch dims back.
          const fc1 = tf.tidy(() => tf.reshape(value, [...data.batchShape, ...value.shape.slice(1)]));
          value.dispose();
          return new TensorDict({ attr: { fc1 } }, { batchShape: data.batchShape });
        });
      },
    });
    const model = referenceMlp();
    const x = referenceInput('mlp');
    const expected = tf.tidy(() => {
      const noise = tf.randomNormal([samples, ...x.shape], 0, stdev, 'float32', seed);
      const fc1 = model.getLayer('fc1');
      return tf.mean(tf.stack(tf.unstack(tf.add(x, noise)).map((noisy) => fc1.apply(noisy) as tf.Tensor)), 0);
    });
    const tunnel = noiseTunnel(captureFc1(null), { samples, stdev, seed });
    expect(captureFc1(null).plan().collects).toBe(true);
    expect(tunnel.plan().collects).toBe(false);
    {
      using result = run(model, tunnel, x);
      expect(result.getTensor(['attr', 'fc1'])).toBeCloseToTensor(expected, tolerance);
    }
    // In a workflow too: next to a collecting method, the tunnel runs in a pass of its own.
    const workflow = new Workflow([captureFc1(null), { update: tunnel }]);
    using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [4] });
    expect(workflow.plan(model, data).executions.map((execution) => execution.coexecuted)).toEqual([
      false,
      false,
    ]);
    const { data: result } = workflow.run(model, data);
    expect(result.getTensor(['attr', 'fc1'])).toBeCloseToTensor(expected, tolerance);
    result.dispose();
    tf.dispose([x, expected]);
    model.dispose();
  });

  it('plans as the wrapped method, and describes it', () => {
    const inner = integratedGradients({
      targets: { a: { select: 1 } },
      baselines: 0,
      convergenceDelta: true,
    });
    const tunnel = noiseTunnel(inner, { samples: 9, samplesPerPass: 4, stdev: 0.1 });
    expect(tunnel.id).toBe('attribution/noise-tunnel');
    expect(tunnel.plan()).toEqual(inner.plan());
    expect(tunnel.requirements).toEqual({
      modelPasses: 3 * inner.requirements.modelPasses,
      gradients: 'required',
    });
    expect(tunnel.describe()).toMatchObject({
      options: { method: { id: 'attribution/integrated-gradients' }, samples: 9 },
    });
  });

  it('refuses invalid options with typed errors', () => {
    const method = saliency({ target: { select: 3 } });
    const bad: unknown[] = [
      { method, samples: 0 },
      { method, samples: 2.5 },
      { method, samplesPerPass: 0 },
      { method, stdev: -1 },
      { method, stdev: Number.NaN },
      { method, stdev: { input: -0.1 } },
      { method, kind: 'smooth' as NoiseTunnelKind },
      { method, seed: Number.NaN },
      { method: saliency },
      { method: {} },
      { method: saliency({ target: { select: [1, 2, 3, 4] } }) },
    ];
    for (const options of bad) {
      expect(() => noiseTunnelMethod(options as NoiseTunnelOptions)).toThrowTdhookError('E_INVALID_VALUE');
    }
    const model = referenceMlp();
    expect(() => noiseTunnel(method, { stdev: { other: 1 } }).prepare(model)).toThrowTdhookError(
      'E_INVALID_VALUE',
      'no noise level',
    );
    model.dispose();
  });
});
