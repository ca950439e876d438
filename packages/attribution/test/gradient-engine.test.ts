// The gradient engine behind every gradient method, through saliency: targets, sources, strategies, chunks,
// batch shapes, errors, nesting inside tf.grad, and the model left as it was. (RecordedPass, the recorded
// forward pass under it, is tested in @tdhook/tfjs-internals.)
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { registerHook, TensorDict } from '@tdhook/core';
import { hookCounts, withGradientCleanup } from '@tdhook/core/plugin';

import { saliency } from '../src/index.js';
import { referenceInput, referenceMlp } from './reference-models.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

const exact = { rtol: 1e-5, atol: 1e-7 };

/** ∂(Σ_rows logits[row, class(row)])/∂x by plain tf.grad. */
function handGradient(
  model: { apply(x: tf.Tensor): unknown },
  x: tf.Tensor,
  classes: readonly number[],
): tf.Tensor {
  return tf.tidy(() => {
    const mask = tf.cast(tf.oneHot(tf.tensor1d([...classes], 'int32'), 10), 'float32');
    return tf.grad((input: tf.Tensor) => tf.sum(tf.mul(model.apply(input) as tf.Tensor, mask)))(x);
  });
}

function withMlp(body: (model: ReturnType<typeof referenceMlp>, x: tf.Tensor) => void): void {
  const model = referenceMlp();
  const x = referenceInput('mlp');
  try {
    body(model, x);
  } finally {
    x.dispose();
    model.dispose();
  }
}

describe('saliency through the engine', () => {
  it('gives the same numbers for named targets with the shared and the loop strategy, and per chunk', () => {
    withMlp((model, x) => {
      const targets = { a: { select: 2 }, b: { select: [9, 0, 4, 7] }, top: { select: 'argmax' } } as const;
      using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [4] });
      const runs = [{}, { strategy: 'loop' }, { chunkSize: 3 }, { chunkSize: 1, strategy: 'loop' }] as const;
      const results = runs.map((options) => {
        using prepared = saliency({ targets, ...options }).prepare(model);
        return prepared.run(data);
      });
      const expected = {
        a: handGradient(model, x, [2, 2, 2, 2]),
        b: handGradient(model, x, [9, 0, 4, 7]),
        top: tf.tidy(() => {
          const classes = Array.from(tf.argMax(model.apply(x) as tf.Tensor, 1).dataSync());
          return handGradient(model, x, classes);
        }),
      };
      for (const result of results) {
        for (const [name, value] of Object.entries(expected)) {
          expect(result.getTensor(['attr', name, 'input'])).toBeCloseToTensor(value, exact);
        }
        expect(result.getTensor('output').shape).toEqual([4, 10]);
      }
      for (const result of results) result.dispose();
      tf.dispose(Object.values(expected));
    });
  });

  it('keeps batch shapes: [2,2] and a single sample with batch shape []', () => {
    withMlp((model, x) => {
      const expected = handGradient(model, x, [3, 3, 3, 3]);
      using prepared = saliency({ target: { select: 3 } }).prepare(model);
      {
        using data = new TensorDict({ input: tf.reshape(x, [2, 2, 16]) }, { batchShape: [2, 2] });
        using result = prepared.run(data);
        const attribution = result.getTensor(['attr', 'input']);
        expect(attribution.shape).toEqual([2, 2, 16]);
        const flat = tf.reshape(attribution, [4, 16]);
        expect(flat).toBeCloseToTensor(expected, exact);
        flat.dispose();
      }
      {
        using data = new TensorDict(
          { input: tf.tidy(() => tf.reshape(tf.slice(x, 1, 1), [16])) },
          { batchShape: [] },
        );
        using result = prepared.run(data);
        const sample = tf.tidy(() => tf.reshape(tf.slice(expected, 1, 1), [16]));
        expect(result.getTensor(['attr', 'input'])).toBeCloseToTensor(sample, exact);
        sample.dispose();
      }
      expected.dispose();
    });
  });

  it('attributes to a module output and to a module target (layer attribution)', () => {
    withMlp((model, x) => {
      using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [4] });
      using prepared = saliency({ target: { module: 'fc2', select: 'sum' }, modules: ['fc1'] }).prepare(
        model,
      );
      using result = prepared.run(data);
      // ∂Σfc2/∂fc1 = relu'(fc1) · W2 summed over fc2 units.
      const fc1 = model.getLayer('fc1');
      const fc2 = model.getLayer('fc2');
      const [expectedInput, expectedFc1] = tf.tidy(() => {
        const h = fc1.apply(x) as tf.Tensor;
        const w2 = fc2.getWeights()[0] as tf.Tensor;
        const viaFc1 = tf.mul(tf.cast(tf.greater(h, 0), 'float32'), tf.sum(w2, 1));
        const viaInput = tf.grad((input: tf.Tensor) =>
          tf.sum(fc2.apply(tf.relu(fc1.apply(input) as tf.Tensor)) as tf.Tensor),
        )(x);
        return [viaInput, viaFc1];
      });
      expect(result.getTensor(['attr', 'input'])).toBeCloseToTensor(expectedInput, exact);
      expect(result.getTensor(['attr', 'fc1'])).toBeCloseToTensor(expectedFc1, exact);
      tf.dispose([expectedInput, expectedFc1]);
    });
  });

  it('works inside an outer tf.grad', () => {
    withMlp((model, x) => {
      using prepared = saliency({ target: { select: 1 } }).prepare(model);
      const gradient = tf.grad((input: tf.Tensor) => {
        const data = new TensorDict({ input }, { batchShape: [4] });
        const result = prepared.run(data);
        const value = tf.sum(tf.square(result.getTensor(['attr', 'input'])));
        result.dispose();
        return value;
      })(x);
      expect(Number.isFinite(gradient.dataSync()[0])).toBe(true);
      gradient.dispose();
    });
  });
});

describe('saliency errors leave the model as it was', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown> | undefined, string][] = [
    ['an unknown target output', { target: { output: 'logits', select: 0 } }, undefined, 'E_MISSING_KEY'],
    ['no unit chosen on a 10-unit output', { target: {} }, undefined, 'E_INVALID_VALUE'],
    ['a unit out of range', { target: { select: 10 } }, undefined, 'E_INVALID_VALUE'],
    ['too few per-sample indices', { target: { select: [1, 2] } }, undefined, 'E_SHAPE_MISMATCH'],
    ['missing labels', { target: { select: { labels: 'label' } } }, undefined, 'E_MISSING_KEY'],
    ['an unknown input key', { target: { select: 0 }, inputs: ['pixels'] }, undefined, 'E_MISSING_KEY'],
    ['a NaN in the input', { target: { select: 0 } }, { nan: true }, 'E_INVALID_VALUE'],
  ];
  it.each(cases)('%s is a typed error', (_name, options, flags, code) => {
    withMlp((model, x) => {
      const input =
        flags?.nan === true
          ? tf.tidy(() => tf.concat([tf.fill([1, 16], NaN), tf.slice(x, 1, 3)]))
          : tf.clone(x);
      using data = new TensorDict({ input }, { batchShape: [4] });
      const run = (): void => {
        using prepared = saliency(options).prepare(model);
        prepared.run(data).dispose();
      };
      expect(run).toThrowTdhookError(code);
      for (const layer of model.layers) expect(Object.values(hookCounts(layer))).toEqual([0, 0, 0, 0]);
      expect(data.keys()).toEqual([['input']]);
    });
  });

  it('rejects bad options at configuration time', () => {
    expect(() => saliency({ target: { select: -1 } })).toThrowTdhookError('E_INVALID_VALUE');
    expect(() => saliency({ chunkSize: 0 })).toThrowTdhookError('E_INVALID_VALUE');
    expect(() => saliency({ target: {}, targets: { a: {} } })).toThrowTdhookError('E_INVALID_VALUE');
    expect(() => saliency({ inputs: [] })).toThrowTdhookError('E_INVALID_VALUE');
    expect(() => saliency({ absolute: 1 } as never)).toThrowTdhookError('E_INVALID_VALUE');
  });

  it('rejects integer inputs with a fix that names module attribution', () => {
    withMlp((model) => {
      using data = new TensorDict({ input: tf.zeros([4, 16], 'int32') }, { batchShape: [4] });
      using prepared = saliency({ target: { select: 0 } }).prepare(model);
      expect(() => prepared.run(data)).toThrowTdhookError('E_INVALID_VALUE', /modules/);
    });
  });

  it('describes itself as JSON', () => {
    const description = saliency({ target: { select: 'argmax' }, modules: ['fc1'] }).describe();
    expect(JSON.parse(JSON.stringify(description))).toMatchObject({
      id: 'attribution/saliency',
      requirements: { modelPasses: 1, gradients: 'required' },
      hooks: [{ path: 'fc1', direction: 'forward', operation: 'capture' }],
      outKeys: [['output'], ['attr', 'input'], ['attr', 'fc1']],
    });
  });
});

describe('engine edge cases', () => {
  it('leaves no tensor behind with module sources on a plain Module model', async () => {
    const { ModuleMlp } = await import('./reference-models.js');
    const model = new ModuleMlp();
    const x = referenceInput('mlp');
    using data = new TensorDict({ input: x }, { batchShape: [4] });
    {
      using prepared = saliency({ target: { select: 2 }, modules: ['fc1'] }).prepare(model);
      using result = prepared.run(data);
      expect(result.getTensor(['attr', 'fc1']).shape).toEqual([4, 64]);
    }
    model.dispose();
  });

  it.each([{}, { select: 'argmax' }, { select: 0 }, { select: 'sum' }] as const)(
    'explains a one-unit output (a value head) with target %j',
    (target) => {
      const model = tfl.sequential({
        layers: [tfl.layers.dense({ units: 1, inputShape: [3], useBias: false })],
      });
      const weights = [tf.tensor2d([[1], [-2], [3]])];
      model.setWeights(weights);
      using data = new TensorDict(
        {
          input: tf.tensor2d([
            [1, 2, 3],
            [4, 5, 6],
          ]),
        },
        { batchShape: [2] },
      );
      {
        using prepared = saliency({ target }).prepare(model);
        using result = prepared.run(data);
        const expected = tf.tensor2d([
          [1, -2, 3],
          [1, -2, 3],
        ]);
        expect(result.getTensor(['attr', 'input'])).toBeCloseToTensor(expected, exact);
        expected.dispose();
      }
      tf.dispose(weights);
      model.dispose();
    },
  );
});

describe('a backward pass that throws', () => {
  it.each(['shared', 'loop'] as const)('leaves nothing behind and the model restored (%s)', (strategy) => {
    withMlp((model, x) => {
      using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [4] });
      const failing = { a: { select: 1 }, b: { select: 2 } };
      const handle = registerHook(model, 'fc2', 'backward', () => {
        throw new Error('hook failed');
      });
      try {
        using prepared = saliency({ targets: failing, strategy }).prepare(model);
        expect(() => prepared.run(data)).toThrowTdhookError('E_HOOK', /hook failed/);
      } finally {
        handle.remove();
      }
      for (const layer of model.layers) expect(Object.values(hookCounts(layer))).toEqual([0, 0, 0, 0]);
    });
  });
});

describe('run-time output gradients ({ inKeys, fromData })', () => {
  it('are loaded for each run only: a model call outside a run gets the typed error', () => {
    withMlp((model, x) => {
      const fromMask = {
        inKeys: ['mask'],
        fromData: (data: TensorDict) => {
          const mask = data.getTensor('mask'); // lent by the run's data
          return (gradient: tf.Tensor): tf.Tensor => tf.mul(gradient, mask);
        },
      };
      const mask = tf.tidy(() =>
        tf.tile(tf.tensor2d([Array.from({ length: 64 }, (_, unit) => (unit % 3 === 0 ? 1 : 0))]), [4, 1]),
      );
      // The gradient of logit 3 at fc1's output, masked, then taken back through fc1 (linear): (mask ⊙ g)·Wᵀ.
      const expected = tf.tidy(() => {
        const layer = (name: string): tfl.layers.Layer => model.getLayer(name);
        const rest = (z: tf.Tensor): tf.Tensor =>
          ['relu1', 'fc2', 'relu2', 'fc3'].reduce((value, name) => layer(name).apply(value) as tf.Tensor, z);
        const logit3 = (z: tf.Tensor): tf.Tensor => tf.sum(tf.slice(rest(z), [0, 3], [-1, 1]));
        const gradient = tf.grad(logit3)(layer('fc1').apply(x) as tf.Tensor);
        const [kernel] = layer('fc1').getWeights() as [tf.Tensor];
        return tf.matMul(tf.mul(gradient, mask), kernel, false, true);
      });
      const outsideARun = (): void => {
        tf.tidy(() =>
          withGradientCleanup(() =>
            tf.grad((input: tf.Tensor) => tf.sum(model.apply(input) as tf.Tensor))(x),
          ),
        );
      };
      {
        using prepared = saliency({ target: { select: 3 }, outputGradients: { fc1: fromMask } }).prepare(
          model,
        );
        expect(outsideARun).toThrowTdhookError(
          'E_CONTEXT',
          /depends on the run's data, and is loaded only while the prepared method runs/,
        );
        using data = new TensorDict({ input: tf.clone(x), mask: tf.clone(mask) }, { batchShape: [4] });
        for (const _ of [1, 2]) {
          using result = prepared.run(data);
          expect(result.getTensor(['attr', 'input'])).toBeCloseToTensor(expected, exact);
          // The run is over: its gradient (and the data it read) is no longer used.
          expect(outsideARun).toThrowTdhookError(
            'E_CONTEXT',
            /is loaded only while the prepared method runs/,
          );
        }
      }
      tf.dispose([mask, expected]);
    });
  });
});
