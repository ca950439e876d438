import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ModuleList, Sequential } from '../modules/containers.js';
import { Module } from '../modules/module.js';
import { TensorDict } from '../tensordict/tensor-dict.js';
import { applyParameters, withParameters } from './apply-parameters.js';
import { listParameters } from './list-parameters.js';
import { parameterKey } from './parameter-key.js';
import { readParameters } from './read-parameters.js';
import { writeParameters } from './write-parameters.js';

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

/** y = x·W + b with seeded values. */
class Linear extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  constructor(inputs: number, outputs: number, seed: number) {
    super();
    this.weight = this.registerParameter('weight', tf.randomNormal([inputs, outputs], 0, 1, 'float32', seed));
    this.bias = this.registerParameter('bias', tf.randomNormal([outputs], 0, 1, 'float32', seed + 1));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(x as tf.Tensor2D, this.weight as tf.Tensor2D), this.bias);
  }
}

/** A block holding a linear layer and a frozen scale, and reusing `shared` (a tied parameter). */
class Block extends Module {
  constructor(seed: number, shared?: Linear) {
    super();
    this.registerModule('proj', new Linear(3, 3, seed));
    this.registerParameter('scale', tf.fill([3], 1 + seed / 10), false);
    if (shared !== undefined) this.registerModule('tied', shared);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
}

class Net extends Module {
  readonly blocks: ModuleList<Block>;
  constructor() {
    super();
    const first = new Block(1);
    this.blocks = this.registerModule('blocks', new ModuleList([first, new Block(5, first.namedChildren()[0]?.[1] as Linear)]));
    this.registerParameter('temperature', tf.scalar(2));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
}

describe('parameterKey', () => {
  it('joins the module path and the name, and is the name alone at the root', () => {
    expect(parameterKey('conv1', 'kernel')).toBe('conv1.kernel');
    expect(parameterKey('blocks.0.attn', 'W_Q')).toBe('blocks.0.attn.W_Q');
    expect(parameterKey('', 'bias')).toBe('bias');
  });
});

describe('parameters of a Module', () => {
  let net: Net;
  beforeEach(() => {
    net = new Net();
  });
  afterEach(() => {
    net.dispose();
  });

  it('lists each variable once, in model order, with trainable flags', () => {
    expect(listParameters(net)).toEqual([
      { key: 'temperature', path: '', name: 'temperature', shape: [], dtype: 'float32', size: 1, trainable: true },
      { key: 'blocks.0.scale', path: 'blocks.0', name: 'scale', shape: [3], dtype: 'float32', size: 3, trainable: false },
      { key: 'blocks.0.proj.weight', path: 'blocks.0.proj', name: 'weight', shape: [3, 3], dtype: 'float32', size: 9, trainable: true },
      { key: 'blocks.0.proj.bias', path: 'blocks.0.proj', name: 'bias', shape: [3], dtype: 'float32', size: 3, trainable: true },
      { key: 'blocks.1.scale', path: 'blocks.1', name: 'scale', shape: [3], dtype: 'float32', size: 3, trainable: false },
      { key: 'blocks.1.proj.weight', path: 'blocks.1.proj', name: 'weight', shape: [3, 3], dtype: 'float32', size: 9, trainable: true },
      { key: 'blocks.1.proj.bias', path: 'blocks.1.proj', name: 'bias', shape: [3], dtype: 'float32', size: 3, trainable: true },
    ]);
    expect(listParameters(net, { trainableOnly: true }).map((p) => p.key)).not.toContain('blocks.0.scale');
    // blocks[1] holds blocks[0].proj too (as 'tied'): it is below that path, listed under its first path.
    expect(listParameters(net, { paths: ['blocks[1]'] }).map((p) => p.key)).toEqual([
      'blocks.0.proj.weight',
      'blocks.0.proj.bias',
      'blocks.1.scale',
      'blocks.1.proj.weight',
      'blocks.1.proj.bias',
    ]);
  });

  it('reads snapshots and writes them back bit-exactly', () => {
    using before = readParameters(net);
    const original = values(before.getTensor('blocks.0.proj.weight'));
    using zeros = before.apply((x) => tf.zerosLike(x));
    writeParameters(net, zeros);
    expect(values(before.getTensor('blocks.0.proj.weight'))).toEqual(original); // the snapshot did not move
    using now = readParameters(net);
    expect(values(now.getTensor('blocks.0.proj.weight'))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    writeParameters(net, before);
    using after = readParameters(net);
    for (const [key] of before.entries()) {
      expect(values(after.getTensor(key))).toEqual(values(before.getTensor(key)));
    }
  });

  it('applies and restores exactly, also after a throw and an async reject', async () => {
    using before = readParameters(net);
    using doubled = before.scale(2);
    const restore = applyParameters(net, doubled);
    expect(values(net.blocks.at(0)?.namedParameters()[0]?.[1] as tf.Tensor)).toEqual(values(before.getTensor('blocks.0.scale')).map((v) => v * 2));
    restore();
    restore();
    expect(() =>
      withParameters(net, doubled, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    await expect(
      withParameters(net, doubled, async () => {
        await Promise.resolve();
        throw new Error('later');
      }),
    ).rejects.toThrow('later');
    expect(withParameters(net, doubled, () => values(net.namedParameters()[0]?.[1] as tf.Tensor))).toEqual([4]);
    using after = readParameters(net);
    for (const [key] of before.entries()) expect(values(after.getTensor(key))).toEqual(values(before.getTensor(key)));
  });
});

describe('parameters of a Layers model', () => {
  it('lists a nested functional model with BatchNorm once per variable', () => {
    const inner = tfl.sequential({
      name: 'encoder',
      layers: [tfl.layers.dense({ units: 4, inputShape: [3], name: 'fc1' }), tfl.layers.batchNormalization({ name: 'bn' })],
    });
    const input = tfl.input({ shape: [3] });
    const output = tfl.layers.dense({ units: 2, name: 'head' }).apply(inner.apply(input)) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    expect(listParameters(model).map((p) => [p.key, p.trainable])).toEqual([
      ['encoder.fc1.kernel', true],
      ['encoder.fc1.bias', true],
      ['encoder.bn.gamma', true],
      ['encoder.bn.beta', true],
      ['encoder.bn.moving_mean', false],
      ['encoder.bn.moving_variance', false],
      ['head.kernel', true],
      ['head.bias', true],
    ]);
    model.dispose();
  });
});

void Sequential;
void TensorDict;
