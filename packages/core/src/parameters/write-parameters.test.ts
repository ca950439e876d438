import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { BlockNet, nestedModel, smallCnn, snapshot } from '../../test/parameter-models.js';
import type { ModelNode } from '../modules/model-node.js';
import { TensorDict } from '../tensordict/tensor-dict.js';
import { readParameters } from './read-parameters.js';
import { writeParameters } from './write-parameters.js';

const current = (model: ModelNode): Record<string, number[]> => {
  using params = readParameters(model);
  return snapshot(params);
};

// Values unlike the model's: each entry i·0.25 + its position, so every written value is recognisable.
const distinct = (params: TensorDict): TensorDict =>
  params.apply((x, key) =>
    tf.add(tf.mul(tf.reshape(tf.range(0, x.size, 1, 'float32'), x.shape), 0.25), key[0].length),
  );

const models: [string, () => ModelNode & { dispose(): unknown }][] = [
  ['a Module tree', () => new BlockNet()],
  ['a Sequential CNN', smallCnn],
  ['a nested functional model with BatchNorm', nestedModel],
];

describe.each(models)('readParameters and writeParameters on %s', (_, build) => {
  it('reads snapshots the caller owns, and writes values back bit-exactly', () => {
    const model = build();
    const original = current(model);
    using before = readParameters(model);
    using edited = distinct(before);
    writeParameters(model, edited);
    expect(current(model)).toEqual(snapshot(edited));
    expect(snapshot(before)).toEqual(original); // the snapshot did not follow the write
    writeParameters(model, before);
    expect(current(model)).toEqual(original);
    model.dispose();
  });

  it('writes a subset: only the keys given', () => {
    const model = build();
    const original = current(model);
    using all = readParameters(model);
    const [first, second] = all.keys().map((key) => key[0]);
    using chosen = all.select(first ?? '', second ?? '');
    using some = chosen.apply((x) => tf.onesLike(x));
    writeParameters(model, some);
    const now = current(model);
    for (const [key, values] of Object.entries(original)) {
      expect(now[key]).toEqual(key === first || key === second ? values.map(() => 1) : values);
    }
    writeParameters(model, all);
    model.dispose();
  });
});

describe('writeParameters is all or nothing', () => {
  // The third entry is bad; the first two are fine and must not be written.
  const cases: [string, (third: tf.Tensor) => [string, tf.Tensor | string], string, RegExp][] = [
    [
      'an unknown key',
      (x) => ['blocks.0.proj.wieght', tf.clone(x)],
      'E_UNKNOWN_PATH',
      /blocks\.0\.proj\.wieght.*blocks\.0\.proj\.weight/s,
    ],
    [
      'a wrong shape',
      (x) => ['blocks.0.proj.weight', tf.zeros([x.size])],
      'E_SHAPE_MISMATCH',
      /blocks\.0\.proj\.weight.*\[3, 3\].*\[9\]/,
    ],
    [
      'a wrong dtype',
      (x) => ['blocks.0.proj.weight', tf.cast(x, 'int32')],
      'E_INVALID_VALUE',
      /blocks\.0\.proj\.weight.*float32.*int32/,
    ],
    [
      'a NaN',
      (x) => [
        'blocks.0.proj.weight',
        tf.where(tf.equal(tf.reshape(tf.range(0, 9), [3, 3]), 4), tf.fill([3, 3], NaN), x),
      ],
      'E_INVALID_VALUE',
      /blocks\.0\.proj\.weight.*NaN/,
    ],
    [
      'an infinity',
      (x) => ['blocks.0.proj.weight', tf.fill(x.shape, -Infinity)],
      'E_INVALID_VALUE',
      /blocks\.0\.proj\.weight.*infinite/,
    ],
    [
      'a non-tensor leaf',
      () => ['blocks.0.proj.weight', 'not a tensor'],
      'E_INVALID_VALUE',
      /blocks\.0\.proj\.weight.*not a tensor/,
    ],
  ];

  it.each(cases)('%s in the third entry writes nothing', (_, third, code, message) => {
    const net = new BlockNet();
    const original = current(net);
    using params = new TensorDict([
      ['temperature', tf.scalar(7)],
      ['blocks.0.scale', tf.ones([3])],
      tf.tidy(() => third(net.blocks.at(0)?.proj.weight as tf.Tensor)),
    ]);
    expect(() => {
      writeParameters(net, params);
    }).toThrowTdhookError(code, message);
    expect(current(net)).toEqual(original);
    net.dispose();
  });

  it('writes large finite values whose sum overflows (the finiteness check has no false alarm)', () => {
    const net = new BlockNet();
    // Each entry is finite, but the sum of all of them is +Inf in float32.
    using huge = new TensorDict({
      'blocks.0.proj.weight': tf.fill([3, 3], 3e38),
      'blocks.0.scale': tf.fill([3], 3e38),
    });
    writeParameters(net, huge);
    expect(current(net)['blocks.0.proj.weight']).toEqual(Array.from({ length: 9 }, () => Math.fround(3e38)));
    net.dispose();
  });

  it('names the first non-finite entry when infinities of both signs cancel to NaN in the total', () => {
    const net = new BlockNet();
    const original = current(net);
    using params = new TensorDict({
      'blocks.0.scale': tf.ones([3]),
      'blocks.0.proj.bias': tf.tensor1d([0, Infinity, 0]),
      'blocks.1.proj.bias': tf.tensor1d([0, -Infinity, 0]),
    });
    expect(() => {
      writeParameters(net, params);
    }).toThrowTdhookError('E_INVALID_VALUE', /blocks\.0\.proj\.bias.*infinite/);
    expect(current(net)).toEqual(original);
    net.dispose();
  });

  it('rejects nested entries (keys are flat) and what is not a live TensorDict', () => {
    const net = new BlockNet();
    using nested = new TensorDict({ blocks: { 0: { scale: tf.ones([3]) } } });
    expect(() => {
      writeParameters(net, nested);
    }).toThrowTdhookError('E_UNKNOWN_PATH', /flat/);
    expect(() => {
      writeParameters(net, { temperature: net.temperature } as never);
    }).toThrowTdhookError('E_INVALID_VALUE', /TensorDict/);
    const disposed = new TensorDict({ temperature: tf.scalar(1) });
    disposed.dispose();
    expect(() => {
      writeParameters(net, disposed);
    }).toThrowTdhookError('E_DISPOSED');
    net.dispose();
  });

  it('puts back what it wrote when a Module variable fails part way', () => {
    const net = new BlockNet();
    const original = current(net);
    using read = readParameters(net);
    using params = read.apply((x) => tf.add(x, 1));
    // The third variable written refuses the assignment (as a disposed or foreign variable would).
    const third = net.blocks.at(0)?.proj.weight as tf.Variable;
    third.assign = () => {
      throw new Error('assign failed');
    };
    expect(() => {
      writeParameters(net, params);
    }).toThrow('assign failed');
    expect(current(net)).toEqual(original);
    delete (third as Partial<tf.Variable>).assign; // back to the prototype's
    net.dispose();
  });

  it('puts back what it wrote when a Layers weight fails part way', () => {
    const cnn = smallCnn();
    const original = current(cnn);
    using read = readParameters(cnn);
    using params = read.apply((x) => tf.add(x, 1));
    const variable = cnn.getLayer('conv2').weights[0]?.read() as tf.Variable;
    variable.assign = () => {
      throw new Error('write failed');
    };
    expect(() => {
      writeParameters(cnn, params);
    }).toThrow('write failed');
    expect(current(cnn)).toEqual(original);
    delete (variable as Partial<tf.Variable>).assign;
    cnn.dispose();
  });

  it('stores values as given: a Layers constraint does not run, so a write back is exact', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({
          units: 2,
          inputShape: [2],
          name: 'fc',
          kernelConstraint: tfl.constraints.maxNorm({ maxValue: 0.5 }),
        }),
      ],
    });
    using big = new TensorDict({
      'fc.kernel': tf.tensor2d([
        [3, 4],
        [0, 1],
      ]),
      'fc.bias': tf.tensor1d([1, 2]),
    });
    writeParameters(model, big);
    expect(current(model)).toEqual(snapshot(big));
    model.dispose();
  });
});

describe('writeParameters on an unknown key', () => {
  it('suggests the key in its canonical form when an index is written in brackets', () => {
    const net = new BlockNet();
    using params = new TensorDict({ 'blocks[1].proj.bias': tf.zeros([3]) });
    expect(() => {
      writeParameters(net, params);
    }).toThrowTdhookError('E_UNKNOWN_PATH', /near it: blocks\.1\.proj\.bias/);
    net.dispose();
  });
});
