// HookSession on the reference MLP (fc1 16→64, relu1, fc2 64→64, relu2, fc3 64→10), as a Layers model and as a
// plain Module: every captured or changed value is checked against the MLP's math written out with tf ops.
import * as tf from '@tensorflow/tfjs-core';
import { loadReferenceModel, tensorFromSpec } from '@tdhook/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ShapeMismatchError } from '../errors.js';
import { hookCounts } from '../hooks/hook-state.js';
import { resolveModule } from '../modules/resolve-module.js';
import { referenceMlpKinds, type BuiltMlp } from '../../test/reference-mlp.js';
import { HookSession, openSession } from './hook-session.js';
import { normalizeTarget, type Target } from './target.js';

const reference = loadReferenceModel('mlp');
const param = (name: string): tf.Tensor => tensorFromSpec(reference.paramsTfjs[name] ?? reference.logits);
const dense = (input: tf.Tensor, name: string): tf.Tensor =>
  tf.add(tf.matMul(input as tf.Tensor2D, param(`${name}.kernel`) as tf.Tensor2D), param(`${name}.bias`));
/** The MLP from fc1's output on. */
const fromFc1 = (fc1: tf.Tensor): tf.Tensor => dense(tf.relu(dense(tf.relu(fc1), 'fc2')), 'fc3');
/** `tensor` with column `column` replaced by `column` of `by`, written with slices. */
const withColumn = (tensor: tf.Tensor, column: number, by: tf.Tensor): tf.Tensor =>
  tf.concat(
    [
      tf.slice(tensor, [0, 0], [-1, column]),
      tf.slice(by, [0, column], [-1, 1]),
      tf.slice(tensor, [0, column + 1], [-1, -1]),
    ],
    1,
  );
const values = (t: tf.Tensor | undefined): number[] => Array.from(t?.dataSync() ?? []);

const kinds = referenceMlpKinds.map((kind) => ({ name: kind.name, build: () => kind.build(reference) }));

describe.each(kinds)('HookSession on the reference MLP as a $name', (kind) => {
  let built: BuiltMlp;
  let x: tf.Tensor;
  let untouched: number[];
  let kernel: number[];
  const targets = tf.tidy(() => tf.keep(tf.oneHot(tf.tensor1d(reference.argmax as number[], 'int32'), 10)));
  const logitsOf = (): tf.Tensor => tf.tidy(() => built.run(x));
  const targetLogit = (input: tf.Tensor): tf.Scalar => tf.sum(tf.mul(built.run(input), targets));
  const expectUntouched = (): void => {
    const after = logitsOf();
    expect(values(after)).toEqual(untouched);
    after.dispose();
    expect(values(built.fc1Kernel())).toEqual(kernel);
    for (const path of ['fc1', 'relu1', 'fc2', 'relu2', 'fc3']) {
      const counts = Object.values(hookCounts(resolveModule(built.model, path)));
      expect(counts).toEqual([0, 0, 0, 0]);
    }
  };

  beforeAll(() => {
    built = kind.build();
    x = tensorFromSpec(reference.inputs.x ?? reference.logits);
    const logits = logitsOf();
    untouched = values(logits);
    logits.dispose();
    kernel = values(built.fc1Kernel());
  });
  afterAll(() => {
    built.dispose();
    tf.dispose([x, targets]);
  });

  it('captures and replaces fc1 units [2] (SPEC 37); the model is restored bit for bit after close', () => {
    const target: Target = { path: 'fc1', kind: 'activation', featureAxis: -1, indices: [2] };
    const session = new HookSession(built.model);
    const captured = session.capture(target);
    expect(captured.value).toBeUndefined();
    session.replace(target, 100);
    const result = session.run(logitsOf);
    const program = session.program;
    session.close();

    const expected = tf.tidy(() => {
      const fc1 = dense(x, 'fc1');
      return {
        column: tf.slice(fc1, [0, 2], [-1, 1]),
        logits: fromFc1(withColumn(fc1, 2, tf.fill([4, 64], 100))),
      };
    });
    expect(captured.value?.shape).toEqual([4, 1]);
    expect(captured.value).toBeCloseToTensor(expected.column, { rtol: 1e-6, atol: 1e-6 });
    expect(result.stopped).toBe(false);
    const logits = result.stopped ? undefined : result.value;
    expect(logits).toBeCloseToTensor(expected.logits, { rtol: 1e-5, atol: 1e-5 });
    expect(logits).not.toBeCloseToTensor(reference.logits, { rtol: 1e-3, atol: 1e-3 });
    expectUntouched();
    const normalized = normalizeTarget(target);
    expect(program).toEqual([
      { path: 'fc1', direction: 'forward', operation: 'capture', target: normalized },
      { path: 'fc1', direction: 'forward', operation: 'replace', target: normalized },
    ]);
    expect(JSON.parse(JSON.stringify(program))).toEqual(program);
    expect(session.program).toEqual(program);
    tf.dispose([logits, expected.column, expected.logits]);
    captured.dispose();
    expect(captured.value).toBeUndefined();
  });

  it('keeps the latest call’s capture and disposes the earlier one', () => {
    using session = openSession(built.model);
    using relu1 = session.capture({ path: 'relu1', indices: [0, 1, 5] });
    const other = tf.tidy(() => tf.mul(x, 2));
    tf.dispose([logitsOf(), tf.tidy(() => built.run(other))]);
    expect(relu1.value?.shape).toEqual([4, 3]);
    const expected = tf.tidy(() => {
      const all = tf.relu(dense(other, 'fc1'));
      return tf.concat([tf.slice(all, [0, 0], [-1, 2]), tf.slice(all, [0, 5], [-1, 1])], 1);
    });
    expect(relu1.value).toBeCloseToTensor(expected, { rtol: 1e-6, atol: 1e-6 });
    tf.dispose([other, expected]);
  });

  it('captures the gradient at fc2 (units [0,5]) inside tf.grad, equal to the math', () => {
    const session = openSession(built.model);
    const gradient = session.capture({ path: 'fc2', kind: 'gradient', indices: [0, 5] });
    const result = session.run(() => tf.grad(targetLogit)(x));
    session.close();

    const expected = tf.tidy(() => {
      const fc2 = dense(tf.relu(dense(x, 'fc1')), 'fc2');
      const all = tf.grad((h: tf.Tensor) => tf.sum(tf.mul(dense(tf.relu(h), 'fc3'), targets)))(fc2);
      return tf.concat([tf.slice(all, [0, 0], [-1, 1]), tf.slice(all, [0, 5], [-1, 1])], 1);
    });
    expect(gradient.value?.shape).toEqual([4, 2]);
    expect(gradient.value).toBeCloseToTensor(expected, { rtol: 1e-6, atol: 1e-7 });
    expect(session.program.map((entry) => [entry.operation, entry.direction])).toEqual([
      ['capture', 'backward-pre'],
    ]);
    expectUntouched();
    tf.dispose([result.stopped ? undefined : result.value, expected]);
    gradient.dispose();
  });

  it('replacing the gradient at fc2 with 0 makes the input gradient exactly zero', () => {
    const session = openSession(built.model);
    session.replace({ path: 'fc2', kind: 'gradient' }, 0);
    const result = session.run(() => tf.tidy(() => tf.grad(targetLogit)(x)));
    session.close();
    const dx = result.stopped ? undefined : result.value;
    expect(dx?.shape).toEqual([4, 16]);
    expect(values(dx).every((value) => value === 0)).toBe(true);
    const plain = tf.tidy(() => tf.grad(targetLogit)(x));
    expect(values(plain).some((value) => value !== 0)).toBe(true);
    expectUntouched();
    tf.dispose([dx, plain]);
  });

  it('replacing the gradient of one fc1 unit changes the input gradient by that unit’s share', () => {
    const session = openSession(built.model);
    const seen = session.capture({ path: 'fc1', kind: 'gradient', indices: [7] });
    session.replace({ path: 'fc1', kind: 'gradient', indices: [7] }, (unit) => tf.mul(unit, 3));
    const result = session.run(() => tf.tidy(() => tf.grad(targetLogit)(x)));
    session.close();
    // d/dx = g·K1ᵀ, and only column 7 of g was tripled: the change is 2·g7·K1[:,7]ᵀ.
    const expected = tf.tidy(() => {
      const plain = tf.grad(targetLogit)(x);
      const row7 = tf.reshape(tf.slice(param('fc1.kernel'), [0, 7], [-1, 1]), [1, 16]);
      return tf.add(plain, tf.mul(tf.matMul(seen.value as tf.Tensor2D, row7), 2));
    });
    expect(result.stopped ? undefined : result.value).toBeCloseToTensor(expected, { rtol: 1e-5, atol: 1e-6 });
    tf.dispose([result.stopped ? undefined : result.value, expected]);
    seen.dispose();
  });

  it('captures a parameter at once; replaces it in place and writes it back at close', () => {
    const column: Target = {
      path: 'fc1',
      kind: 'parameter',
      parameter: 'kernel',
      featureAxis: 1,
      indices: [3, 7],
    };
    const session = openSession(built.model);
    const before = session.capture(column);
    expect(before.value?.shape).toEqual([16, 2]);
    const expectedColumns = tf.tidy(() =>
      tf.concat(
        [tf.slice(param('fc1.kernel'), [0, 3], [-1, 1]), tf.slice(param('fc1.kernel'), [0, 7], [-1, 1])],
        1,
      ),
    );
    expect(values(before.value)).toEqual(values(expectedColumns));

    session.replace({ ...column, indices: [3] }, 0);
    const live = values(built.fc1Kernel());
    expect(live.filter((_, index) => index % 64 === 3).every((value) => value === 0)).toBe(true);
    expect(live.filter((_, index) => index % 64 !== 3)).toEqual(
      kernel.filter((_, index) => index % 64 !== 3),
    );
    // With column 3 of the kernel zero, fc1's unit 3 is its bias.
    const unit3 = session.capture({ path: 'fc1', indices: [3] });
    const run = session.run(logitsOf);
    tf.dispose(run.stopped ? undefined : run.value);
    const bias = param('fc1.bias');
    const bias3 = values(bias)[3] ?? Number.NaN;
    bias.dispose();
    expect(values(unit3.value)).toEqual([bias3, bias3, bias3, bias3]);
    expect(session.program.map((entry) => [entry.operation, entry.direction])).toEqual([
      ['capture', null],
      ['replace', null],
      ['capture', 'forward'],
    ]);
    session.close();
    expectUntouched();
    tf.dispose([expectedColumns]);
    before.dispose();
    unit3.dispose();
  });

  it('restores a replaced parameter after an exception inside run', () => {
    const session = openSession(built.model);
    session.replace(
      { path: 'fc1', kind: 'parameter', parameter: 'kernel', featureAxis: 0, indices: [0, 15] },
      -3,
    );
    expect(
      values(built.fc1Kernel())
        .slice(0, 64)
        .every((value) => value === -3),
    ).toBe(true);
    expect(() =>
      session.run(() => {
        tf.dispose(logitsOf());
        throw new Error('boom');
      }),
    ).toThrow('boom');
    session.close();
    expectUntouched();
  });

  it('writes the original units back into the live parameter even after it was assigned again', () => {
    const session = openSession(built.model);
    session.replace({ path: 'fc1', kind: 'parameter', parameter: 'kernel', featureAxis: 1, indices: [3] }, 0);
    const nines = tf.fill([16, 64], 9);
    built.assignFc1Kernel(nines);
    nines.dispose();
    session.close();
    // The session undoes its own change, column 3; the rest is the later assignment's.
    const live = values(built.fc1Kernel());
    expect(live.filter((_, index) => index % 64 === 3)).toEqual(
      kernel.filter((_, index) => index % 64 === 3),
    );
    expect(live.filter((_, index) => index % 64 !== 3).every((value) => value === 9)).toBe(true);
    const original = tf.tensor2d(kernel, [16, 64]);
    built.assignFc1Kernel(original);
    original.dispose();
    expectUntouched();
  });

  it('a replacement that does not fit the parameter changes and records nothing', () => {
    const session = openSession(built.model);
    const wrong = tf.ones([5]);
    const target: Target = {
      path: 'fc1',
      kind: 'parameter',
      parameter: 'kernel',
      featureAxis: 1,
      indices: [3],
    };
    expect(() => {
      session.replace(target, wrong);
    }).toThrow(ShapeMismatchError);
    expect(() => {
      session.replace(target, () => tf.zeros([16, 2]));
    }).toThrow(/A replacement float32\[16,2\] does not fit the selection float32\[16,1\]/);
    expect(session.program).toEqual([]);
    expect(values(built.fc1Kernel())).toEqual(kernel);
    session.close();
    wrong.dispose();
    expectUntouched();
  });

  it('stopAfter ends the pass: later modules’ hooks never fire and run reports where', () => {
    const session = openSession(built.model);
    const fc1 = session.capture({ path: 'fc1', indices: [0] });
    session.stopAfter('fc1');
    const relu1 = session.capture('relu1');
    const result = session.run(logitsOf);
    expect(result).toEqual({ stopped: true, path: 'fc1' });
    expect(fc1.value?.shape).toEqual([4, 1]);
    expect(relu1.value).toBeUndefined();
    expect(session.program.map(({ path, operation, direction }) => [path, operation, direction])).toEqual([
      ['fc1', 'capture', 'forward'],
      ['fc1', 'stop', 'forward'],
      ['relu1', 'capture', 'forward'],
    ]);
    expect(session.program[1]).not.toHaveProperty('target');
    // A stopped pass inside tf.grad leaves no gradient tape behind.
    expect(session.run(() => tf.tidy(() => tf.grad(targetLogit)(x)))).toEqual({ stopped: true, path: 'fc1' });
    session.close();
    expectUntouched();
    fc1.dispose();
  });
});
