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
    expect(() =>
      withParameters(net, bad, () => {
        ran = true;
      }),
    ).toThrowTdhookError('E_SHAPE_MISMATCH');
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
