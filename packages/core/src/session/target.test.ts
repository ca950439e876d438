import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { InvalidValueError, TdhookError, UnknownPathError } from '../errors.js';
import { Lambda, Sequential } from '../modules/containers.js';
import { Module } from '../modules/module.js';
import { describeTarget, normalizeTarget, type Target } from './target.js';
import { targetFromJSON, targetToJSON } from './target-json.js';
import { validateTarget } from './validate-target.js';

class Affine extends Module {
  readonly kernel: tf.Variable = this.registerParameter('kernel', tf.ones([3, 2]));
  readonly bias: tf.Variable = this.registerParameter('bias', tf.zeros([2]));
  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(x as tf.Tensor2D, this.kernel as tf.Tensor2D), this.bias);
  }
}

const smallNet = (): Sequential =>
  new Sequential({ fc1: new Affine(), relu: new Lambda('relu', (x: tf.Tensor) => tf.relu(x)) });

const layersNet = (): tfl.Sequential =>
  tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 4, inputShape: [3], name: 'fc1' }),
      tfl.layers.dense({ units: 2, name: 'fc2' }),
    ],
  });

describe('normalizeTarget', () => {
  it('fills the defaults, sorts the keys and freezes the result; a string is a path', () => {
    const target = normalizeTarget('fc1');
    expect(target).toEqual({ featureAxis: -1, kind: 'activation', outputIndex: 0, path: 'fc1' });
    expect(Object.isFrozen(target)).toBe(true);
    const full = normalizeTarget({
      path: 'fc1',
      kind: 'parameter',
      parameter: 'kernel',
      featureAxis: 1,
      indices: [3],
    });
    expect(Object.keys(full)).toEqual(['featureAxis', 'indices', 'kind', 'parameter', 'path']);
    const gradient = normalizeTarget({ path: 'fc2', kind: 'gradient', indices: [0, -1], outputIndex: 1 });
    expect(gradient).toEqual({
      featureAxis: -1,
      indices: [0, -1],
      kind: 'gradient',
      outputIndex: 1,
      path: 'fc2',
    });
  });

  it('copies the indices, so changing the input later changes nothing', () => {
    const indices = [1, 2];
    const target = normalizeTarget({ path: '', indices });
    indices.push(3);
    expect(target.indices).toEqual([1, 2]);
    expect(Object.isFrozen(target.indices)).toBe(true);
  });

  const invalid: [string, unknown, RegExp][] = [
    ['a number', 42, /must be an object or a module path string, got 42/],
    ['null', null, /got null/],
    ['an array', ['fc1'], /got an array/],
    ['no path', {}, /path must be a string, got undefined/],
    ['a numeric path', { path: 3 }, /path must be a string, got 3/],
    ['an unknown field', { path: 'a', featureaxis: 1 }, /no field "featureaxis".*Known fields: path, kind/],
    [
      'a bad kind',
      { path: 'a', kind: 'weights' },
      /kind must be one of activation, gradient, parameter, got "weights"/,
    ],
    ['a fractional axis', { path: 'a', featureAxis: 1.5 }, /featureAxis must be an integer, got 1.5/],
    ['a boolean axis', { path: 'a', featureAxis: true }, /featureAxis must be an integer, got true/],
    ['a string axis', { path: 'a', featureAxis: '1' }, /featureAxis must be an integer, got "1"/],
    ['empty indices', { path: 'a', indices: [] }, /non-empty array of integers, got an empty array/],
    ['indices not an array', { path: 'a', indices: 2 }, /non-empty array of integers, got 2/],
    ['a fractional index', { path: 'a', indices: [0, 1.5] }, /indices\[1\] must be an integer, got 1.5/],
    ['a boolean index', { path: 'a', indices: [true] }, /indices\[0\] must be an integer, got true/],
    ['a NaN index', { path: 'a', indices: [Number.NaN] }, /indices\[0\] must be an integer, got NaN/],
    ['an unsafe index', { path: 'a', indices: [2 ** 53] }, /indices\[0\] must be an integer/],
    [
      'a parameter kind without a name',
      { path: 'a', kind: 'parameter' },
      /needs the parameter's name, got undefined/,
    ],
    [
      'an empty parameter name',
      { path: 'a', kind: 'parameter', parameter: '' },
      /needs the parameter's name, got ""/,
    ],
    [
      'a parameter on an activation',
      { path: 'a', parameter: 'kernel' },
      /only for kind 'parameter', not 'activation'/,
    ],
    [
      'outputIndex on a parameter',
      { path: 'a', kind: 'parameter', parameter: 'w', outputIndex: 0 },
      /outputIndex is only/,
    ],
    ['a negative outputIndex', { path: 'a', outputIndex: -1 }, /outputIndex must be an integer ≥ 0, got -1/],
    ['a boolean outputIndex', { path: 'a', kind: 'gradient', outputIndex: false }, /got false/],
  ];

  it.each(invalid)('rejects %s with an InvalidValueError', (_, target, message) => {
    let thrown: unknown;
    try {
      normalizeTarget(target as Target);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidValueError);
    expect(TdhookError.is(thrown) && thrown.code).toBe('E_INVALID_VALUE');
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).toContain('(at target)');
  });

  it('describes a target for messages', () => {
    expect(describeTarget(normalizeTarget({ path: 'fc1', indices: [2] }))).toBe(
      "activation 'fc1' [axis -1, units 2]",
    );
    expect(
      describeTarget(
        normalizeTarget({ path: 'fc1', kind: 'parameter', parameter: 'kernel', featureAxis: 1 }),
      ),
    ).toBe("parameter 'kernel' of 'fc1' [axis 1, all units]");
    expect(describeTarget(normalizeTarget({ path: 'h', kind: 'gradient', outputIndex: 1 }))).toBe(
      "gradient 'h' [axis -1, all units, output 1]",
    );
  });
});

describe('targetToJSON and targetFromJSON', () => {
  const targets: Target[] = [
    { path: 'fc1', indices: [2] },
    { path: 'layers[-1]', kind: 'gradient', featureAxis: 1, indices: [0, 3], outputIndex: 1 },
    { path: '', kind: 'parameter', parameter: 'kernel', featureAxis: 0, indices: [-1] },
  ];

  it.each(targets)('round-trip %j', (target) => {
    const text = targetToJSON(target);
    expect(targetFromJSON(text)).toEqual(normalizeTarget(target));
    expect(targetToJSON(targetFromJSON(text))).toBe(text);
  });

  it('write canonical text with sorted keys', () => {
    expect(targetToJSON({ indices: [2], path: 'fc1' })).toBe(
      '{"featureAxis":-1,"indices":[2],"kind":"activation","outputIndex":0,"path":"fc1"}',
    );
    expect(targetToJSON('fc1')).toBe(targetToJSON({ path: 'fc1', kind: 'activation', featureAxis: -1 }));
  });

  it('reject text that is not JSON, JSON that is not an object, and invalid targets', () => {
    try {
      targetFromJSON('{"path": ');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidValueError);
      expect((error as Error).message).toMatch(/Target JSON is not valid JSON/);
      expect((error as Error).cause).toBeInstanceOf(SyntaxError);
    }
    expect(() => targetFromJSON('[1]')).toThrow(/must hold an object, got an array/);
    expect(() => targetFromJSON('null')).toThrow(/must hold an object, got null/);
    expect(() => targetFromJSON('3')).toThrow(InvalidValueError);
    expect(() => targetFromJSON({ path: 'a' } as unknown as string)).toThrow(
      /takes a JSON string, got object/,
    );
    expect(() => targetFromJSON('{"path":"a","indices":[]}')).toThrow(/non-empty array/);
  });
});

describe('validateTarget', () => {
  it('returns the module a Module target names, and checks parameters and their units', () => {
    const net = smallNet();
    const fc1 = net.namedChildren()[0]?.[1];
    expect(validateTarget(net, 'fc1')).toBe(fc1);
    expect(validateTarget(net, { path: '' })).toBe(net);
    const column = {
      path: 'fc1',
      kind: 'parameter',
      parameter: 'kernel',
      featureAxis: 1,
      indices: [1],
    } as const;
    expect(validateTarget(net, column)).toBe(fc1);
    expect(() => validateTarget(net, { ...column, parameter: 'weight' })).toThrow(
      /Module 'fc1' \(Affine\) has no parameter 'weight' \(at target.parameter\)\. Use one of its parameters: kernel, bias\./,
    );
    expect(() => validateTarget(net, { ...column, path: 'relu', parameter: 'w' })).toThrow(
      /it has no parameters/,
    );
    expect(() => validateTarget(net, { ...column, indices: [2] })).toThrow(
      /Index 2 is out of range for axis 1 of a tensor float32\[3,2\]/,
    );
    expect(() => validateTarget(net, { ...column, featureAxis: 2 })).toThrow(
      /featureAxis 2 is out of range for a tensor float32\[3,2\]/,
    );
    net.dispose();
  });

  it('rejects an unknown path with an UnknownPathError that lists the children', () => {
    const net = smallNet();
    expect(() => validateTarget(net, 'fc2')).toThrow(UnknownPathError);
    expect(() => validateTarget(net, { path: 'fc2', kind: 'gradient' })).toThrow(
      /Children of Sequential: fc1, relu/,
    );
    expect(() => validateTarget(net, { path: 'fc1', featureAxis: 0.5 })).toThrow(InvalidValueError);
    net.dispose();
  });

  it('finds Layers weights by their own name, also when tfjs made the variable name unique', () => {
    const first = layersNet();
    const second = layersNet(); // its variables are named fc1/kernel_1, …
    expect(second.getLayer('fc1').weights[0]?.name).toBe('fc1/kernel_1');
    for (const model of [first, second]) {
      const kernel = {
        path: 'fc1',
        kind: 'parameter',
        parameter: 'kernel',
        featureAxis: 1,
        indices: [3],
      } as const;
      expect(validateTarget(model, kernel)).toBe(model.getLayer('fc1'));
      expect(() => validateTarget(model, { ...kernel, indices: [4] })).toThrow(/float32\[3,4\]/);
      expect(() => validateTarget(model, { ...kernel, parameter: 'gamma' })).toThrow(
        /Module 'fc1' \(Dense 'fc1'\) has no parameter 'gamma'.*its parameters: kernel, bias\. A Layers layer creates/,
      );
      // At the model itself, 'kernel' could be fc1's or fc2's; the full name says which.
      expect(() => validateTarget(model, { ...kernel, path: '' })).toThrow(
        /Parameter 'kernel' is ambiguous: fc1\/kernel, fc2\/kernel/,
      );
      expect(validateTarget(model, { ...kernel, path: '', parameter: 'fc2/kernel', indices: [1] })).toBe(
        model,
      );
    }
    first.dispose();
    second.dispose();
  });
});
