import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { BlockNet, nestedModel, smallCnn, snapshot } from '../../test/parameter-models.js';
import type { ModelNode } from '../modules/model-node.js';
import { TensorDict } from '../tensordict/tensor-dict.js';
import { applyParameters, withParameters } from './apply-parameters.js';
import { readParameters } from './read-parameters.js';

const current = (model: ModelNode): Record<string, number[]> => {
  using params = readParameters(model);
  return snapshot(params);
};

const models: [string, () => ModelNode & { dispose(): unknown }][] = [
  ['a Module tree', () => new BlockNet()],
  ['a Sequential CNN', smallCnn],
  ['a nested functional model with BatchNorm', nestedModel],
];

describe.each(models)('applyParameters and withParameters on %s', (_, build) => {
  it('applies, and the restore puts the exact originals back (once; a second call does nothing)', () => {
    const model = build();
    const original = current(model);
    using before = readParameters(model);
    using halved = before.scale(0.5);
    const restore = applyParameters(model, halved);
    expect(current(model)).toEqual(snapshot(halved));
    restore();
    expect(current(model)).toEqual(original);
    restore();
    expect(current(model)).toEqual(original);
    model.dispose();
  });

  it('restores after fn returns, throws, or its promise rejects', async () => {
    const model = build();
    const original = current(model);
    using before = readParameters(model);
    using shifted = before.apply((x) => tf.add(x, 3));
    const seen = withParameters(model, shifted, () => current(model));
    expect(seen).toEqual(snapshot(shifted));
    expect(current(model)).toEqual(original);

    expect(() =>
      withParameters(model, shifted, () => {
        throw new Error('sync failure');
      }),
    ).toThrow('sync failure');
    expect(current(model)).toEqual(original);

    const resolved = await withParameters(model, shifted, async () => {
      await Promise.resolve();
      return current(model);
    });
    expect(resolved).toEqual(snapshot(shifted));
    expect(current(model)).toEqual(original);

    await expect(
      withParameters(model, shifted, async () => {
        await Promise.resolve();
        throw new Error('async failure');
      }),
    ).rejects.toThrow('async failure');
    expect(current(model)).toEqual(original);
    model.dispose();
  });
});

describe('the model computes with the applied parameters', () => {
  it('a CNN whose dense layer is set to zero kernel and bias [1, 2, 3] predicts [1, 2, 3] inside, not after', () => {
    const cnn = smallCnn();
    using head = new TensorDict({ 'dense.kernel': tf.zeros([16, 3]), 'dense.bias': tf.tensor1d([1, 2, 3]) });
    using input = new TensorDict({ x: tf.randomUniform([1, 8, 8, 1], 0, 1, 'float32', 7) });
    const predict = (): number[] =>
      tf.tidy(() => Array.from((cnn.predict(input.getTensor('x')) as tf.Tensor).dataSync()));
    const plain = predict();
    expect(withParameters(cnn, head, predict)).toEqual([1, 2, 3]);
    expect(predict()).toEqual(plain);
    expect(plain).not.toEqual([1, 2, 3]);
    cnn.dispose();
  });
});

describe('applyParameters on bad input', () => {
  it('changes nothing and keeps nothing when a check fails', () => {
    const net = new BlockNet();
    const original = current(net);
    using bad = new TensorDict([
      ['temperature', tf.scalar(1)],
      ['blocks.1.scale', tf.zeros([4])],
    ]);
    expect(() => applyParameters(net, bad)).toThrowTdhookError('E_SHAPE_MISMATCH', /blocks\.1\.scale/);
    let ran = false;
    expect(() => {
      withParameters(net, bad, () => {
        ran = true;
      });
    }).toThrowTdhookError('E_SHAPE_MISMATCH');
    expect(ran).toBe(false);
    expect(current(net)).toEqual(original);
    net.dispose();
  });

  it('a restore that cannot write still frees its copies and reports the failure', () => {
    const net = new BlockNet();
    using ones = new TensorDict({ temperature: tf.scalar(1) });
    const restore = applyParameters(net, ones);
    const assign = net.temperature.assign.bind(net.temperature);
    net.temperature.assign = () => {
      throw new Error('gone');
    };
    expect(restore).toThrow('gone');
    net.temperature.assign = assign;
    net.dispose();
  });
});

describe('inside tf.tidy', () => {
  it('a dict read in a tidy, and originals applied in one, survive it', () => {
    const net = new BlockNet();
    const original = current(net);
    let read = new TensorDict();
    tf.tidy(() => {
      read = readParameters(net);
    });
    expect(snapshot(read)).toEqual(original);
    using shifted = read.apply((x) => tf.add(x, 1));
    let restore = (): void => undefined;
    tf.tidy(() => {
      restore = applyParameters(net, shifted);
    });
    expect(current(net)).toEqual(snapshot(shifted));
    restore();
    expect(current(net)).toEqual(original);
    read.dispose();
    net.dispose();
  });
});
