import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { type Block, BlockNet, nestedModel, smallCnn } from '../../test/parameter-models.js';
import { resolveModule } from '../modules/resolve-module.js';
import { listParameters } from './list-parameters.js';
import { parameterKey } from './parameter-key.js';
import { parameterVariables } from './parameter-variables.js';

const keysOf = (infos: readonly { key: string }[]): string[] => infos.map((info) => info.key);

describe('parameterKey', () => {
  it('joins the module path and the name, and is the name alone at the root', () => {
    expect(parameterKey('conv1', 'kernel')).toBe('conv1.kernel');
    expect(parameterKey('blocks.0.attn.c_attn', 'weight')).toBe('blocks.0.attn.c_attn.weight');
    expect(parameterKey('', 'bias')).toBe('bias');
  });
});

describe('listParameters on Modules', () => {
  it("lists each variable once, a module's own parameters before its children's, with trainable flags", () => {
    const net = new BlockNet();
    const row = (key: string, path: string, name: string, shape: number[], trainable = true): object => ({
      key,
      path,
      name,
      shape,
      dtype: 'float32',
      size: shape.reduce((a, b) => a * b, 1),
      trainable,
    });
    // blocks.1.tied is blocks.0.proj again: listed once, at its first path.
    expect(listParameters(net)).toEqual([
      row('temperature', '', 'temperature', []),
      row('blocks.0.scale', 'blocks.0', 'scale', [3], false),
      row('blocks.0.proj.weight', 'blocks.0.proj', 'weight', [3, 3]),
      row('blocks.0.proj.bias', 'blocks.0.proj', 'bias', [3]),
      row('blocks.1.scale', 'blocks.1', 'scale', [3], false),
      row('blocks.1.proj.weight', 'blocks.1.proj', 'weight', [3, 3]),
      row('blocks.1.proj.bias', 'blocks.1.proj', 'bias', [3]),
    ]);
    net.dispose();
  });

  it('filters by trainable and by module paths (any path form; a path takes what is below it)', () => {
    const net = new BlockNet();
    expect(keysOf(listParameters(net, { trainableOnly: true }))).toEqual([
      'temperature',
      'blocks.0.proj.weight',
      'blocks.0.proj.bias',
      'blocks.1.proj.weight',
      'blocks.1.proj.bias',
    ]);
    expect(keysOf(listParameters(net, { paths: ['blocks[0].proj'] }))).toEqual([
      'blocks.0.proj.weight',
      'blocks.0.proj.bias',
    ]);
    // blocks.1 holds blocks.0.proj too (as `tied`), so its subtree includes it, under its first key.
    expect(keysOf(listParameters(net, { paths: ['blocks.1'], trainableOnly: true }))).toEqual([
      'blocks.0.proj.weight',
      'blocks.0.proj.bias',
      'blocks.1.proj.weight',
      'blocks.1.proj.bias',
    ]);
    expect(keysOf(listParameters(net, { paths: [] }))).toEqual([]);
    net.dispose();
  });

  it('rejects an unknown path and a paths option that is not an array of strings', () => {
    const net = new BlockNet();
    expect(() => listParameters(net, { paths: ['blocks[2]'] })).toThrowTdhookError(
      'E_UNKNOWN_PATH',
      /blocks\[2\]/,
    );
    expect(() => listParameters(net, { paths: 'blocks' as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /paths/,
    );
    net.dispose();
  });
});

describe('listParameters on Layers models', () => {
  it('names a Sequential CNN by layer and short weight name', () => {
    const cnn = smallCnn();
    expect(listParameters(cnn).map((p) => `${p.key} ${p.shape.join('x')} ${p.size}`)).toEqual([
      'conv1.kernel 3x3x1x4 36',
      'conv1.bias 4 4',
      'conv2.kernel 2x2x4x4 64',
      'conv2.bias 4 4',
      'dense.kernel 16x3 48',
      'dense.bias 3 3',
    ]);
    // A second model with the same layer names: tfjs renames the variables (conv1/kernel_1), the keys stay.
    const again = smallCnn();
    expect(keysOf(listParameters(again))).toEqual(keysOf(listParameters(cnn)));
    cnn.dispose();
    again.dispose();
  });

  it('lists a nested model once per variable, BatchNorm moving statistics as non-trainable', () => {
    const model = nestedModel();
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
    expect(keysOf(listParameters(model, { trainableOnly: true }))).not.toContain('encoder.bn.moving_mean');
    expect(keysOf(listParameters(model, { paths: ['encoder'] }))).toHaveLength(6);
    expect(keysOf(listParameters(model, { paths: ['encoder.bn'], trainableOnly: true }))).toEqual([
      'encoder.bn.gamma',
      'encoder.bn.beta',
    ]);
    model.dispose();
  });

  it('lists a layer applied twice once, and a frozen layer as non-trainable', () => {
    const shared = tfl.layers.dense({ units: 3, name: 'shared' });
    const input = tfl.input({ shape: [3] });
    const twice = shared.apply(shared.apply(input)) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: twice });
    shared.trainable = false;
    expect(listParameters(model).map((p) => [p.key, p.trainable])).toEqual([
      ['shared.kernel', false],
      ['shared.bias', false],
    ]);
    expect(listParameters(model, { trainableOnly: true })).toEqual([]);
    model.dispose();
    shared.dispose(); // tfjs-layers counts a layer once per application: the second reference
  });

  it('describes without reading values: no tensor is made', () => {
    const cnn = smallCnn();
    const before = tf.memory().numTensors;
    listParameters(cnn);
    expect(tf.memory().numTensors).toBe(before);
    cnn.dispose();
  });
});

describe('parameterVariables', () => {
  it('gives the live variable of every listed parameter, keyed and ordered as listParameters', () => {
    const cnn = smallCnn();
    const variables = parameterVariables(cnn);
    expect([...variables.keys()]).toEqual(keysOf(listParameters(cnn)));
    // The very variables the layers compute with (not copies): what tf.variableGrads needs.
    const [firstWeight] = cnn.layers[0]?.weights ?? [];
    expect(variables.get('conv1.kernel')).toBe(firstWeight?.read());
    const net = new BlockNet();
    const live = parameterVariables(net, { paths: ['blocks[1]'] });
    expect([...live.keys()]).toEqual(keysOf(listParameters(net, { paths: ['blocks[1]'] })));
    expect(live.get('blocks.1.proj.weight')).toBe((resolveModule(net, 'blocks[1]') as Block).proj.weight);
    cnn.dispose();
    net.dispose();
  });
});
