// Workflow.prepare (issue 17): methods installed once, run many times with exactly workflow.run's results;
// each execution sees only its own hooks; plans cached per key set; errors restore everything; state changes
// refused next to other methods; hooks prepared outside still act.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { hookCounts } from '../src/hooks/hook-state.js';
import type { Sequential } from '../src/modules/containers.js';
import type { ModelNode } from '../src/modules/model-node.js';
import { defineMethod } from '../src/methods/define-method.js';
import { defineOperator } from '../src/methods/operator.js';
import { Workflow, type WorkflowResult } from '../src/methods/workflow.js';
import { TensorDict } from '../src/tensordict/tensor-dict.js';
import { addToOutput, captureActivations, inputGradient, scaleOutput } from './test-methods.js';
import type { Scale } from './small-net.js';
import { smallNet, values } from './small-net.js';

const batch = (...xs: number[]): TensorDict =>
  new TensorDict({ input: tf.tensor2d(xs.map((x) => [x])) }, { batchShape: [xs.length] });

/** The child `name` of the net. */
function child(net: Sequential, name: string): ModelNode {
  const found = net.namedChildren().find(([childName]) => childName === name);
  if (found === undefined) throw new Error(`no child ${name}`);
  return found[1];
}

/** Every hook on the net's submodules, summed over directions. */
const totalHooks = (net: Sequential): number =>
  net
    .namedChildren()
    .reduce((total, [, node]) => total + Object.values(hookCounts(node)).reduce((a, b) => a + b, 0), 0);

/** Same keys, and per key the same dtype, shape and values (exactly). */
function expectSameData(actual: TensorDict, expected: TensorDict): void {
  const keys = (data: TensorDict): string[] => data.keys().map((key) => JSON.stringify(key));
  expect(keys(actual).sort()).toEqual(keys(expected).sort());
  for (const key of expected.keys()) {
    const [a, b] = [actual.getTensor(key), expected.getTensor(key)];
    expect(a.dtype, JSON.stringify(key)).toBe(b.dtype);
    expect(a.shape, JSON.stringify(key)).toEqual(b.shape);
    expect(values(a), JSON.stringify(key)).toEqual(values(b));
  }
}

const dispose = (...results: WorkflowResult[]): void => {
  for (const { data } of results) data.dispose();
};

/**
 * Captures sharing a pass, a method that scales linear1's output (its own pass), a gradient method with a
 * backward hook, a capture after it, and an operator that notes how many hooks are installed while it runs.
 */
function mixedWorkflow(seen: number[], net: Sequential, called: number[][] = []): Workflow {
  const noteHooks = defineOperator({
    name: 'note-hooks',
    inKeys: ['output'],
    outKeys: ['copy'],
    run: (data) => {
      seen.push(totalHooks(net));
      // The model called between executions: no method's hook acts (6·relu(x), no ×10, nothing captured).
      called.push(tf.tidy(() => values(net.call(tf.tensor2d([[1], [-2]])))));
      return new TensorDict({ copy: tf.clone(data.getTensor('output')) }, { batchShape: data.batchShape });
    },
  });
  return new Workflow([
    captureActivations({ paths: ['linear1'] }),
    captureActivations({ paths: ['relu'], key: 'more' }),
    scaleOutput({ path: 'linear1', factor: 10 }),
    inputGradient({ path: 'relu' }),
    noteHooks,
    captureActivations({ paths: ['linear2'], key: 'after' }),
  ]);
}

describe('Workflow.prepare: install once, run many times', () => {
  it('every run equals workflow.run, with each execution seeing only its own hooks', () => {
    const net = smallNet();
    const seen: number[] = [];
    const called: number[][] = [];
    const workflow = mixedWorkflow(seen, net, called);
    const inputs = [batch(1, -2), batch(3, 0.5), batch(-1, 2)];
    const expected = inputs.map((data) => workflow.run(net, data));
    expect(seen).toEqual([0, 0, 0]); // workflow.run installs each method for its own execution only

    const prepared = workflow.prepare(net);
    const installed = totalHooks(net);
    expect(installed).toBe(5); // every method's hooks at once
    expect(hookCounts(child(net, 'linear1'))).toMatchObject({ forward: 2 }); // a capture and the scaling
    expect(hookCounts(child(net, 'relu'))).toMatchObject({ forward: 1, 'backward-pre': 1 });
    expect(hookCounts(child(net, 'linear2'))).toMatchObject({ forward: 1 });
    const actual = inputs.map((data) => prepared.run(data));
    expect(seen.slice(3)).toEqual([installed, installed, installed]); // installed all along
    expect(called).toEqual(Array.from({ length: 6 }, () => [6, 0]));
    actual.forEach((result, index) => {
      expectSameData(result.data, (expected[index] as WorkflowResult).data);
      expect(result.plan).toEqual((expected[index] as WorkflowResult).plan);
    });
    // The numbers: captures see the plain model (no ×10), the scaling pass gives 10·6·relu(x), the gradient
    // is the plain one (6 where x > 0), and the gradient at relu's output is linear2's weight, 3.
    const first = (actual[0] as WorkflowResult).data;
    expect(values(first.getTensor(['cache', 'linear1']))).toEqual([2, -4]);
    expect(values(first.getTensor(['more', 'relu']))).toEqual([2, 0]);
    expect(values(first.getTensor(['grad', 'input']))).toEqual([6, 0]);
    expect(values(first.getTensor(['grad', 'relu']))).toEqual([3, 3]);
    expect(values(first.getTensor(['after', 'linear2']))).toEqual([6, 0]);
    expect(values(first.getTensor('copy'))).toEqual([6, 0]); // the output after the gradient method's pass

    // Between runs the hooks stay installed but act on nothing: the model computes 6·relu(x).
    expect(totalHooks(net)).toBe(installed);
    const plain = tf.tidy(() => values(net.call(tf.tensor2d([[1], [-2]]))));
    expect(plain).toEqual([6, 0]);

    prepared.restore();
    expect(prepared.active).toBe(false);
    expect(totalHooks(net)).toBe(0);
    expect(() => prepared.run(inputs[0] as TensorDict)).toThrowTdhookError(
      'E_CONTEXT',
      /restore\(\) was called/,
    );
    prepared.restore(); // idempotent
    dispose(...expected, ...actual);
    for (const data of inputs) data.dispose();
    net.dispose();
  });

  it('with sharePasses: false and through `using`, the same', () => {
    const net = smallNet();
    const workflow = new Workflow(mixedWorkflow([], net).steps, { sharePasses: false });
    const data = batch(2, -1);
    const expected = workflow.run(net, data);
    {
      using prepared = workflow.prepare(net);
      const actual = prepared.run(data);
      expectSameData(actual.data, expected.data);
      expect(actual.plan.modelPasses).toBe(expected.plan.modelPasses);
      dispose(actual);
    }
    expect(totalHooks(net)).toBe(0);
    dispose(expected);
    data.dispose();
    net.dispose();
  });

  it('plans once per key set of the data, as workflow.plan does', () => {
    const net = smallNet();
    const copyExtra = defineOperator({
      name: 'copy-extra',
      inKeys: [['extra']],
      outKeys: ['copied'],
      run: (d) => new TensorDict({ copied: tf.clone(d.getTensor('extra')) }, { batchShape: d.batchShape }),
    });
    const workflow = new Workflow([captureActivations({ paths: ['relu'] }), copyExtra]);
    using prepared = workflow.prepare(net);
    const withExtra = (x: number): TensorDict =>
      new TensorDict({ input: tf.tensor2d([[x]]), extra: tf.tensor1d([x + 1]) }, { batchShape: [1] });
    const [a, b] = [withExtra(1), withExtra(2)];
    expect(prepared.plan(a)).toBe(prepared.plan(b)); // the same keys: the cached plan
    expect(prepared.plan(a)).toEqual(workflow.plan(net, a));
    const results = [prepared.run(a), prepared.run(b)];
    expect(results.map(({ data }) => values(data.getTensor('copied')))).toEqual([[2], [3]]);
    expect(results[0]?.plan).toBe(results[1]?.plan);
    // Data without the key the operator reads fails the plan before anything runs: a typed error that
    // changes nothing, the workflow still prepared and running.
    const without = batch(1);
    const hooks = totalHooks(net);
    expect(() => prepared.run(without)).toThrowTdhookError('E_PLAN', /"extra"/);
    expect(() => prepared.run({ input: 1 } as never)).toThrowTdhookError('E_INVALID_VALUE', /TensorDict/);
    expect(prepared.active).toBe(true);
    expect(totalHooks(net)).toBe(hooks);
    results.push(prepared.run(a));
    expect(values(results[2]?.data.getTensor('copied'))).toEqual([2]);
    dispose(...results);
    for (const data of [a, b, without]) data.dispose();
    net.dispose();
  });

  it('a hook prepared outside (before) the workflow acts in every run, as in workflow.run', () => {
    const net = smallNet();
    const workflow = new Workflow([captureActivations({ paths: ['relu', 'linear2'] }), inputGradient({})]);
    const data = batch(1, -2);
    using steering = addToOutput({ path: 'relu', amount: 10 }).prepare(net);
    const expected = workflow.run(net, data);
    {
      using prepared = workflow.prepare(net);
      const actual = prepared.run(data);
      expectSameData(actual.data, expected.data);
      // relu + 10 steered: linear2 sees [12, 10]; the gradient is unchanged by an added constant.
      expect(values(actual.data.getTensor(['cache', 'relu']))).toEqual([12, 10]);
      expect(values(actual.data.getTensor(['cache', 'linear2']))).toEqual([36, 30]);
      expect(values(actual.data.getTensor(['grad', 'input']))).toEqual([6, 0]);
      dispose(actual);
    }
    // Restoring the workflow leaves the steering installed.
    expect(hookCounts(child(net, 'relu'))).toMatchObject({ forward: 1 });
    steering.restore();
    expect(totalHooks(net)).toBe(0);
    dispose(expected);
    data.dispose();
    net.dispose();
  });

  it("a hook installed after prepare acts too, after the workflow's own hooks on the same module", () => {
    const net = smallNet();
    const data = batch(1, -2);
    using prepared = new Workflow([captureActivations({ paths: ['relu', 'linear2'] })]).prepare(net);
    {
      using steering = addToOutput({ path: 'relu', amount: 10 }).prepare(net);
      const { data: result } = prepared.run(data);
      expect(values(result.getTensor(['cache', 'relu']))).toEqual([2, 0]); // captured before the steering
      expect(values(result.getTensor(['cache', 'linear2']))).toEqual([36, 30]); // downstream: steered
      result.dispose();
      expect(steering.active).toBe(true);
    }
    const { data: plain } = prepared.run(data);
    expect(values(plain.getTensor(['cache', 'linear2']))).toEqual([6, 0]);
    plain.dispose();
    prepared.restore();
    expect(totalHooks(net)).toBe(0);
    data.dispose();
    net.dispose();
  });

  it('the model keys: given to prepare, or to the workflow, never both differently', () => {
    const net = smallNet();
    const data = new TensorDict({ x: tf.tensor2d([[1], [-2]]) }, { batchShape: [2] });
    const keys = { inKeys: ['x'], outKeys: ['y'] };
    const expected = new Workflow([captureActivations({ paths: ['relu'] })], keys).run(net, data);
    const workflow = new Workflow([captureActivations({ paths: ['relu'] })]);
    {
      using prepared = workflow.prepare(net, keys);
      const actual = prepared.run(data);
      expectSameData(actual.data, expected.data);
      expect(values(actual.data.getTensor('y'))).toEqual([6, 0]);
      dispose(actual);
    }
    const keyed = new Workflow([captureActivations({ paths: ['relu'] })], keys);
    expect(() => keyed.prepare(net, { inKeys: ['input'] })).toThrowTdhookError('E_INVALID_KEY', /one place/);
    keyed.prepare(net, keys).restore(); // the same keys twice are fine
    expect(totalHooks(net)).toBe(0);
    dispose(expected);
    data.dispose();
    net.dispose();
  });
});

describe('Workflow.prepare: errors', () => {
  it('an error in run restores every method and no run works after; nothing leaks', () => {
    const net = smallNet();
    let calls = 0;
    const failSecond = defineOperator({
      name: 'fail-second',
      inKeys: ['output'],
      outKeys: ['copy'],
      run: (data) => {
        calls += 1;
        if (calls === 2) throw new Error('step 2 failed');
        return new TensorDict({ copy: tf.clone(data.getTensor('output')) }, { batchShape: data.batchShape });
      },
    });
    const workflow = new Workflow([
      captureActivations({ paths: ['linear1'] }),
      failSecond,
      inputGradient({ path: 'relu' }),
    ]);
    const data = batch(1, -2);
    const prepared = workflow.prepare(net);
    expect(totalHooks(net)).toBe(2);
    dispose(prepared.run(data));
    expect(() => prepared.run(data)).toThrow('step 2 failed');
    expect(prepared.active).toBe(false);
    expect(totalHooks(net)).toBe(0);
    expect(() => prepared.run(data)).toThrowTdhookError('E_CONTEXT', /step 2 failed/);
    expect(() => prepared.plan(data)).toThrowTdhookError('E_CONTEXT', /restored/);
    // Everything can be prepared again (each method was released).
    workflow.prepare(net).restore();
    data.dispose();
    net.dispose();
  });

  it('a failing preparation installs nothing', () => {
    const net = smallNet();
    const workflow = new Workflow([
      captureActivations({ paths: ['linear1'] }),
      captureActivations({ paths: ['nope'] }),
    ]);
    expect(() => workflow.prepare(net)).toThrow(/nope/);
    expect(totalHooks(net)).toBe(0);
    expect(() => workflow.prepare({} as never)).toThrowTdhookError('E_INVALID_VALUE', /Expected a model/);
    net.dispose();
  });

  it('the same configured method twice is refused (configure it once per step)', () => {
    const net = smallNet();
    const capture = captureActivations({ paths: ['relu'] });
    const workflow = new Workflow([capture, { update: capture }]);
    expect(() => workflow.prepare(net)).toThrowTdhookError('E_PLAN', /same configured method/);
    expect(totalHooks(net)).toBe(0);
    net.dispose();
  });

  it('a method that changes state: refused next to other methods, prepared when it is the only one', () => {
    const net = smallNet();
    const linear2 = child(net, 'linear2') as unknown as Scale;
    const doubleWeight = defineMethod<null>({
      contract: 'tdhook.method/1',
      id: 'test/double-weight',
      plan: (_options, model) => ({
        hooks: [{ path: 'linear2', direction: null, operation: 'replace' }],
        inKeys: model.inKeys,
        outKeys: [],
      }),
      bind: (_options, context) => {
        const before = tf.keep(tf.clone(linear2.w));
        const doubled = tf.mul(before, 2);
        linear2.w.assign(doubled);
        doubled.dispose();
        context.record({ path: 'linear2', direction: null, operation: 'replace' }, () => {
          linear2.w.assign(before);
          before.dispose();
        });
        return { run: (data) => context.model.run(data) };
      },
    });
    const mixed = new Workflow([captureActivations({ paths: ['relu'] }), doubleWeight(null)]);
    expect(() => mixed.prepare(net)).toThrowTdhookError(
      'E_PLAN',
      /1:test\/double-weight changes the model's state \(replace at 'linear2'\)/,
    );
    expect(totalHooks(net)).toBe(0);
    const copy = defineOperator({
      name: 'copy',
      inKeys: ['output'],
      outKeys: ['copy'],
      run: (d) => new TensorDict({ copy: tf.clone(d.getTensor('output')) }, { batchShape: d.batchShape }),
    });
    const alone = new Workflow([doubleWeight(null), copy]);
    const data = batch(1, -2);
    const expected = alone.run(net, data);
    {
      using prepared = alone.prepare(net);
      const actual = prepared.run(data);
      expectSameData(actual.data, expected.data);
      expect(values(actual.data.getTensor('copy'))).toEqual([12, 0]);
      dispose(actual);
    }
    expect(values(linear2.w)).toEqual([3]); // restored
    dispose(expected);
    data.dispose();
    net.dispose();
  });
});
