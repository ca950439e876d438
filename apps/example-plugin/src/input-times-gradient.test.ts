import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { saliency } from '@tdhook/attribution';
import { createMethodRegistry, Module, registerHook, Sequential, TensorDict } from '@tdhook/core';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { inputTimesGradient } from './input-times-gradient.js';

class Linear extends Module {
  readonly kernel: tf.Variable;
  constructor(kernel: number[][]) {
    super();
    this.kernel = this.registerParameter('kernel', tf.tensor2d(kernel));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.matMul(x, this.kernel);
  }
}

// f(x) = x·W: the gradient of unit t is column t of W, so input × gradient is x ⊙ W[:, t].
const weights = [
  [1, -2, 0.5],
  [3, 0, -1],
];
const x = [
  [2, 1], // f = [5, -4, 0]: argmax 0
  [-1, 2], // f = [5, 2, -2.5]: argmax 0
  [0, -1], // f = [-3, 0, 1]: argmax 2
];

function run(
  options: Parameters<typeof inputTimesGradient>[0],
  model: Module | tfl.LayersModel,
  input: tf.Tensor,
) {
  using prepared = inputTimesGradient(options).prepare(model);
  using data = new TensorDict({ input: tf.clone(input) }, { batchShape: [input.shape[0]] });
  using result = prepared.run(data);
  return {
    attribution: tf.clone(result.getTensor(['attr', 'input'])),
    output: tf.clone(result.getTensor('output')),
  };
}

describe('example/input-times-gradient, an attribution plugin on @tdhook/core and tfjs-core only', () => {
  it('is x ⊙ W[:, t] on a linear model, for argmax, one unit and one unit per sample', () => {
    const model = new Linear(weights);
    const input = tf.tensor2d(x);
    const expected = (units: number[]): number[][] =>
      x.map((row, n) => row.map((value, i) => value * (weights[i]?.[units[n] ?? 0] ?? NaN)));
    for (const [select, units] of [
      ['argmax', [0, 0, 2]],
      [1, [1, 1, 1]],
      [
        [2, 1, 0],
        [2, 1, 0],
      ],
    ] as const) {
      const { attribution, output } = run({ target: { select } }, model, input);
      expect(attribution).toBeCloseToTensor(expected([...units]), { rtol: 0, atol: 1e-6 });
      // The model's outputs are published next to the attribution.
      expect(output).toBeCloseToTensor(
        [
          [5, -4, 0],
          [5, 2, -2.5],
          [-3, 0, 1],
        ],
        { rtol: 0, atol: 1e-6 },
      );
      tf.dispose([attribution, output]);
    }
    // multiplyByInput: false is the plain gradient, W[:, t].
    const { attribution, output } = run({ target: { select: 1 }, multiplyByInput: false }, model, input);
    expect(attribution).toBeCloseToTensor(new Array(3).fill([-2, 0]), { rtol: 0, atol: 1e-6 });
    tf.dispose([attribution, output, input]);
    model.dispose();
  });

  it('equals @tdhook/attribution’s saliency with multiplyByInputs on a Layers CNN', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [8, 8, 1],
          filters: 3,
          kernelSize: 3,
          activation: 'relu',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
        }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 4, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    const input = tf.tidy(() => tf.randomUniform([5, 8, 8, 1], 0, 1, 'float32', 3));
    const plugin = run({}, model, input);
    using prepared = saliency({ target: { select: 'argmax' }, multiplyByInputs: true }).prepare(model);
    using data = new TensorDict({ input: tf.clone(input) }, { batchShape: [5] });
    using result = prepared.run(data);
    // Measured: identical on wasm and cpu (the same gradient kernels, summed the same way).
    expect(plugin.attribution).toBeCloseToTensor(result.getTensor(['attr', 'input']), {
      rtol: 0,
      atol: 1e-7,
    });
    expect(tf.tidy(() => tf.max(tf.abs(plugin.attribution)).dataSync()[0])).toBeGreaterThan(1e-3);
    tf.dispose([plugin.attribution, plugin.output, input]);
    model.dispose();
  });

  it('registers explicitly, plans its keys, and rejects bad targets', () => {
    const registry = createMethodRegistry().use(inputTimesGradient);
    expect(registry.list()).toEqual([
      { id: 'example/input-times-gradient', summary: 'Input × gradient of the selected output unit' },
    ]);
    expect(inputTimesGradient({}).describe()).toMatchObject({
      options: { target: { select: 'argmax' }, multiplyByInput: true },
      requirements: { modelPasses: 2, gradients: 'required' },
      hooks: [],
      outKeys: [['attr', 'input']],
    });
    expect(() => inputTimesGradient({ target: { select: -1 } })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /target\.select/,
    );
    const model = new Linear(weights);
    const input = tf.tensor2d(x);
    expect(() => run({ target: { select: 3 } }, model, input)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /does not fit 3 sample\(s\) of 3 unit/,
    );
    input.dispose();
    model.dispose();
  });

  it('releases the gradient tape when backpropagation throws, leaving no tensor behind', () => {
    const model = new Sequential({ fc: new Linear(weights) });
    const input = tf.tensor2d(x);
    {
      // A backward hook that returns a gradient of the wrong shape makes tf.grads throw halfway.
      using _ = registerHook(model, 'fc', 'backward-pre', () => tf.zeros([5]));
      expect(() => run({}, model, input)).toThrow(/backward-pre hook returned float32\[5\]/);
    }
    // The tape is gone: the leak guard around every test would count what it kept, and a later gradient runs.
    const { attribution, output } = run({ target: { select: 1 }, multiplyByInput: false }, model, input);
    expect(attribution).toBeCloseToTensor(new Array(3).fill([-2, 0]), { rtol: 0, atol: 1e-6 });
    tf.dispose([attribution, output, input]);
    model.dispose();
  });
});
