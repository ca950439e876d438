import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { Lambda, ModuleDict, ModuleList, Sequential } from './containers.js';
import { Module } from './module.js';
import { namedModules, resolveModule } from './resolve-module.js';

const relu = (): Lambda => new Lambda('relu', (x: tf.Tensor) => tf.relu(x));

class Wrapper extends Module {
  readonly module: Sequential;
  constructor(inner: Sequential) {
    super();
    this.module = this.registerModule('module', inner);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.module.call(x);
  }
}

describe('resolveModule and namedModules', () => {
  it('resolve names, positions, keys and wrappers in Module trees', () => {
    const inner = new Sequential({ linear1: relu(), linear2: relu() });
    const model = new Wrapper(inner);
    expect(resolveModule(model, '')).toBe(model);
    expect(resolveModule(model, 'module.linear2')).toBe(inner.namedChildren()[1]?.[1]);
    // Through the wrapper: 'linear2' is not a child of the wrapper, but of what it wraps.
    expect(resolveModule(model, 'linear2')).toBe(inner.namedChildren()[1]?.[1]);
    const list = new ModuleList([relu(), relu(), relu()]);
    expect(resolveModule(list, '[-1]')).toBe(list.at(-1));
    const heads = new ModuleDict({ query: relu(), key: relu() });
    expect(resolveModule(heads, "['key']")).toBe(heads.get('key'));
    expect(() => resolveModule(list, '[0:2]')).toThrow(
      /names 2 modules \(a slice\), where one module is needed/,
    );
    expect(() => resolveModule(model, 'linear3')).toThrowTdhookError('E_UNKNOWN_PATH', /linear3/);
  });

  it('reach inside Layers wrappers and list a model’s modules with their paths', () => {
    const inner = tfl.sequential({
      name: 'inner',
      layers: [tfl.layers.dense({ units: 2, inputShape: [4], name: 'innerDense' })],
    });
    const wrapped = tfl.layers.timeDistributed({ layer: inner, inputShape: [3, 4], name: 'perStep' });
    const model = tfl.sequential({ layers: [wrapped, tfl.layers.flatten({ name: 'flat' })] });
    // The wrapped model is the child 'layer'; names inside it are also found through the wrapper.
    expect(resolveModule(model, 'perStep.layer.innerDense')).toBe(inner.getLayer('innerDense'));
    expect(resolveModule(model, 'perStep.innerDense')).toBe(inner.getLayer('innerDense'));
    expect(namedModules(model).map(([path]) => path)).toEqual([
      'perStep',
      'perStep.layer',
      'perStep.layer.innerDense',
      'flat',
    ]);
    const net = new Sequential({ 'block/0': new Sequential({ mlp: relu() }) });
    expect(namedModules(net).map(([path]) => path)).toEqual(['<block/0>', '<block/0>.mlp']);
    model.dispose();
  });
});
