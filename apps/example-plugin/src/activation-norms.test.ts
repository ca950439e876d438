import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  createMethodRegistry,
  Lambda,
  Module,
  resolveModule,
  Sequential,
  TensorDict,
  Workflow,
} from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { activationNorms } from './activation-norms.js';

class Affine extends Module {
  readonly kernel: tf.Variable;
  constructor(kernel: number[][]) {
    super();
    this.kernel = this.registerParameter('kernel', tf.tensor2d(kernel));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.matMul(x, this.kernel);
  }
}

// fc1 maps [a, b] to [a, 2b, -a]; relu keeps [a, 2b, 0] for a, b ≥ 0.
const makeModel = (): Sequential =>
  new Sequential({
    fc1: new Affine([
      [1, 0, -1],
      [0, 2, 0],
    ]),
    relu: new Lambda('relu', (x: tf.Tensor) => tf.relu(x)),
  });

describe('example/activation-norms, a plugin that depends only on @tdhook/core', () => {
  it('computes per-sample norms of module outputs, keeping the batch shape', () => {
    const model = makeModel();
    const data = new TensorDict(
      {
        input: tf.tensor3d([
          [
            [3, 2],
            [1, 0],
          ],
        ]),
      },
      { batchShape: [1, 2] },
    );
    {
      using prepared = activationNorms({ paths: ['fc1', 'relu'] }).prepare(model);
      using result = prepared.run(data);
      // sample [3, 2]: fc1 → [3, 4, -3], L2 = √34; relu → [3, 4, 0], L2 = 5. sample [1, 0]: [1, 0, -1] → √2; [1, 0, 0] → 1.
      expect(result.getTensor(['norms', 'fc1'])).toBeCloseToTensor([[Math.sqrt(34), Math.SQRT2]], {
        rtol: 1e-6,
        atol: 0,
      });
      expect(result.getTensor(['norms', 'relu'])).toBeCloseToTensor([[5, 1]], { rtol: 1e-6, atol: 0 });
    }
    expect(hookCounts(resolveModule(model, 'fc1')).forward).toBe(0);
    data.dispose();
    model.dispose();
  });

  it('offers L1 and max norms, and rejects an empty path list', () => {
    const model = makeModel();
    const data = new TensorDict({ input: tf.tensor2d([[3, 2]]) }, { batchShape: [1] });
    for (const [order, expected] of [
      [1, 10],
      ['max', 4],
    ] as const) {
      using prepared = activationNorms({ paths: ['fc1'], order }).prepare(model);
      using result = prepared.run(data);
      expect(result.getTensor(['norms', 'fc1'])).toBeCloseToTensor([expected], { rtol: 1e-6, atol: 0 });
    }
    expect(() => activationNorms({ paths: [] })).toThrow(/needs at least one module path/);
    data.dispose();
    model.dispose();
  });

  it('works on a TF.js Layers model too', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({
          units: 2,
          inputShape: [2],
          useBias: false,
          kernelInitializer: 'identity',
          name: 'fc1',
        }),
      ],
    });
    const data = new TensorDict({ input: tf.tensor2d([[3, 4]]) }, { batchShape: [1] });
    using prepared = activationNorms({ paths: ['fc1'] }).prepare(model);
    using result = prepared.run(data);
    expect(result.getTensor(['norms', 'fc1'])).toBeCloseToTensor([5], { rtol: 1e-6, atol: 0 });
    data.dispose();
    model.dispose();
  });

  it('registers explicitly, describes itself, and shares one model pass with another capture', () => {
    const registry = createMethodRegistry().use(activationNorms);
    expect(registry.list()).toEqual([
      { id: 'example/activation-norms', summary: 'Per-sample norms of module outputs' },
    ]);
    expect(activationNorms({ paths: ['fc1'] }).describe()).toMatchObject({
      id: 'example/activation-norms',
      options: { key: 'norms', order: 2, paths: ['fc1'] },
      hooks: [{ path: 'fc1', direction: 'forward', operation: 'capture' }],
    });
    const model = makeModel();
    const data = new TensorDict({ input: tf.tensor2d([[3, 2]]) }, { batchShape: [1] });
    const workflow = new Workflow([
      activationNorms({ paths: ['fc1'] }),
      activationNorms({ paths: ['relu'], key: 'relu-norms' }),
    ]);
    const { data: result, plan } = workflow.run(model, data);
    expect(plan.modelPasses).toBe(1);
    expect(result.getTensor(['relu-norms', 'relu'])).toBeCloseToTensor([5], { rtol: 1e-6, atol: 0 });
    result.dispose();
    data.dispose();
    model.dispose();
  });

  it('leaves nothing behind when a module did not run, whichever path it is', () => {
    // fc1 runs; skipped is registered (so it can be hooked) but forward never calls it.
    class Partly extends Module {
      readonly fc1 = this.registerModule('fc1', new Affine([[1], [2]]));
      readonly skipped = this.registerModule('skipped', new Affine([[1], [1]]));
      forward(x: tf.Tensor): tf.Tensor {
        return this.fc1.call(x);
      }
    }
    const model = new Partly();
    const data = new TensorDict({ input: tf.tensor2d([[3, 4]]) }, { batchShape: [1] });
    // After fc1's norm went into the result, and before fc1's norm was collected: the leak guard around
    // every test fails it if either stays behind.
    for (const paths of [
      ['fc1', 'skipped'],
      ['skipped', 'fc1'],
    ]) {
      using prepared = activationNorms({ paths }).prepare(model);
      expect(() => prepared.run(data)).toThrowTdhookError('E_INVALID_VALUE', /Module 'skipped' did not run/);
    }
    expect(hookCounts(resolveModule(model, 'skipped')).forward).toBe(0);
    data.dispose();
    model.dispose();
  });
});
