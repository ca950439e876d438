import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import {
  ContextError,
  ContractError,
  HookError,
  MissingKeyError,
  PlanError,
  ShapeMismatchError,
  TdhookError,
  UnknownPathError,
} from '../src/errors.js';
import { hookCounts } from '../src/hooks/hook-state.js';
import { registerHook } from '../src/hooks/register-hook.js';
import { Module } from '../src/modules/module.js';
import { defineMethod } from '../src/methods/define-method.js';
import { KeyedModel } from '../src/methods/keyed-model.js';
import { createMethodRegistry } from '../src/methods/method-registry.js';
import { defineOperator } from '../src/methods/operator.js';
import { Workflow } from '../src/methods/workflow.js';
import { TensorDict } from '../src/tensordict/tensor-dict.js';
import { addToOutput, captureActivations } from './test-methods.js';
import { countCalls, smallNet, values } from './small-net.js';

describe('KeyedModel', () => {
  it('reads nested keys, flattens batch dims [2,3] for the model and restores them', () => {
    const net = smallNet();
    const data = new TensorDict(
      {
        source: {
          input: tf.tensor3d([
            [[-1], [1], [2]],
            [[3], [-4], [5]],
          ]),
        },
      },
      { batchShape: [2, 3] },
    );
    const keyed = new KeyedModel(net, { inKeys: [['source', 'input']], outKeys: ['prediction'] });
    const seenShapes: number[][] = [];
    using _probe = registerHook(
      net,
      'linear1',
      'forward-pre',
      ([x]) => void seenShapes.push((x as tf.Tensor).shape),
    );
    using result = keyed.run(data);
    expect(seenShapes).toEqual([[6, 1]]);
    expect(result.getTensor('prediction').shape).toEqual([2, 3, 1]);
    expect(values(result.getTensor('prediction'))).toEqual([0, 6, 12, 18, 0, 30]);
    expect(data.has('prediction')).toBe(false); // the input is left as it was
    data.dispose();
    net.dispose();
  });

  it('maps several inputs and outputs, positional and by name', () => {
    class SumAndDifference extends Module<
      [{ left: tf.Tensor; right: tf.Tensor }],
      { sum: tf.Tensor; difference: tf.Tensor }
    > {
      forward({ left, right }: { left: tf.Tensor; right: tf.Tensor }): {
        sum: tf.Tensor;
        difference: tf.Tensor;
      } {
        return { sum: tf.add(left, right), difference: tf.sub(left, right) };
      }
    }
    const model = new SumAndDifference();
    const data = new TensorDict(
      { inputs: { left: tf.tensor2d([[5], [7]]), right: tf.tensor2d([[1], [2]]) } },
      { batchShape: [2] },
    );
    const keyed = new KeyedModel(model, {
      inKeys: { left: ['inputs', 'left'], right: ['inputs', 'right'] },
      outKeys: { sum: ['outputs', 'sum'], difference: ['outputs', 'difference'] },
    });
    using result = keyed.run(data);
    expect(values(result.getTensor(['outputs', 'sum']))).toEqual([6, 9]);
    expect(values(result.getTensor(['outputs', 'difference']))).toEqual([4, 5]);
    data.dispose();
  });

  it('says which key is missing and which output does not fit', () => {
    const net = smallNet();
    const data = new TensorDict({ x: tf.ones([2, 1]) }, { batchShape: [2] });
    expect(() => new KeyedModel(net).run(data)).toThrow(MissingKeyError);
    expect(() => new KeyedModel(net).run(data)).toThrow(
      /The model reads "input", which is not in the TensorDict/,
    );
    expect(() => new KeyedModel(net, { inKeys: ['x'], outKeys: ['a', 'b'] }).run(data)).toThrow(
      ShapeMismatchError,
    );
    expect(() => new KeyedModel({} as never)).toThrow(/Expected a model/);
    data.dispose();
    net.dispose();
  });
});

describe('methods: prepare, run, restore', () => {
  it('run like the original: output + 1 with batch [2,3]; restoring leaves the model bit-identical', () => {
    const net = smallNet();
    const x = tf.tensor3d([
      [[1], [2], [3]],
      [[-1], [0], [4]],
    ]);
    const data = new TensorDict({ input: tf.clone(x) }, { batchShape: [2, 3] });
    using untouched = new KeyedModel(net).run(data);
    {
      using prepared = addToOutput({ path: '', amount: 1 }).prepare(net);
      using result = prepared.run(data);
      expect(result.batchShape).toEqual([2, 3]);
      expect(values(result.getTensor('output'))).toEqual(
        values(untouched.getTensor('output')).map((v) => v + 1),
      );
      expect(prepared.program).toEqual([{ path: '', direction: 'forward', operation: 'replace' }]);
    }
    using after = new KeyedModel(net).run(data);
    expect(values(after.getTensor('output'))).toEqual(values(untouched.getTensor('output')));
    expect(hookCounts(net)).toEqual({ 'forward-pre': 0, forward: 0, 'backward-pre': 0, backward: 0 });
    tf.dispose(x);
    data.dispose();
    net.dispose();
  });

  it('refuse to be prepared twice on one model, and to run after restore', () => {
    const net = smallNet();
    const method = addToOutput({ path: 'linear1', amount: 1 });
    const first = method.prepare(net);
    expect(() => method.prepare(net)).toThrow(ContextError);
    expect(() => method.prepare(net)).toThrow(/already prepared on this model/);
    expect(hookCounts(net.namedChildren()[0]?.[1] ?? net).forward).toBe(1); // the failed second prepare added nothing
    first.restore();
    first.restore(); // idempotent
    const data = new TensorDict({ input: tf.ones([1, 1]) }, { batchShape: [1] });
    expect(() => first.run(data)).toThrow(/was restored because restore\(\) was called/);
    using again = method.prepare(net); // allowed once the first is restored
    expect(again.active).toBe(true);
    data.dispose();
    net.dispose();
  });

  it('restore the model when a hook throws during run, and say so on the next call', () => {
    const net = smallNet();
    const failing = defineMethod<{ readonly path: string }>({
      contract: 'tdhook.method/1',
      id: 'test/failing',
      plan: ({ path }, model) => ({
        hooks: [{ path, direction: 'forward', operation: 'replace' }],
        inKeys: model.inKeys,
        outKeys: [],
      }),
      bind: ({ path }, context) => {
        context.hook({ path, direction: 'forward', operation: 'replace' }, () => {
          throw new Error('exploded');
        });
        return { run: (data) => context.model.run(data) };
      },
    });
    const prepared = failing({ path: 'relu' }).prepare(net);
    const data = new TensorDict({ input: tf.ones([1, 1]) }, { batchShape: [1] });
    expect(() => prepared.run(data)).toThrow(HookError);
    expect(prepared.active).toBe(false);
    expect(hookCounts(net.namedChildren()[1]?.[1] ?? net).forward).toBe(0);
    expect(() => prepared.run(data)).toThrow(
      /restored because an error occurred in run\(\): A forward hook threw: exploded/,
    );
    data.dispose();
    net.dispose();
  });

  it('roll back when preparation fails, and enforce that binding matches the plan', () => {
    const net = smallNet();
    expect(() => captureActivations({ paths: ['linear1', 'nope'] }).prepare(net)).toThrow(UnknownPathError);
    expect(hookCounts(net.namedChildren()[0]?.[1] ?? net).forward).toBe(0);
    const undeclared = defineMethod<null>({
      contract: 'tdhook.method/1',
      id: 'test/undeclared',
      plan: (_options, model) => ({ hooks: [], inKeys: model.inKeys, outKeys: [] }),
      bind: (_options, context) => {
        context.hook({ path: 'relu', direction: 'forward', operation: 'capture' }, () => undefined);
        return { run: (data) => context.model.run(data) };
      },
    });
    expect(() => undeclared(null).prepare(net)).toThrow(/installed .* which its plan does not declare/);
    const lazy = defineMethod<null>({
      contract: 'tdhook.method/1',
      id: 'test/lazy',
      plan: (_options, model) => ({
        hooks: [{ path: 'relu', direction: 'forward', operation: 'capture' }],
        inKeys: model.inKeys,
        outKeys: [],
      }),
      bind: (_options, context) => ({ run: (data) => context.model.run(data) }),
    });
    expect(() => lazy(null).prepare(net)).toThrow(/planned 1 change\(s\) it did not install/);
    net.dispose();
  });
});

describe('the plugin contract', () => {
  const plan = (): { hooks: never[]; inKeys: never[]; outKeys: never[] } => ({
    hooks: [],
    inKeys: [],
    outKeys: [],
  });
  const bind = (): { run: (data: TensorDict) => TensorDict } => ({ run: (data) => data.clone() });

  it('rejects another contract version, a malformed id, and missing functions, with what to do', () => {
    expect(() =>
      defineMethod({ contract: 'tdhook.method/2' as 'tdhook.method/1', id: 'acme/x', plan, bind }),
    ).toThrow(/declares contract "tdhook.method\/2".*This @tdhook\/core implements 'tdhook.method\/1'/);
    expect(() => defineMethod({ contract: 'tdhook.method/1', id: 'Acme/X', plan, bind })).toThrow(
      /is not 'family\/name'/,
    );
    expect(() =>
      defineMethod({ contract: 'tdhook.method/1', id: 'acme/x', plan, bind: undefined as never }),
    ).toThrow(/has no bind\(\) function/);
    expect(() =>
      defineMethod({
        contract: 'tdhook.method/1',
        id: 'acme/x',
        plan,
        bind,
        requirements: () => ({ modelPasses: 0, gradients: 'optional' }),
      })(null),
    ).toThrow(/modelPasses must be a whole number of at least 1/);
  });

  it('refuses a configure that returns no options object, naming the method', () => {
    // Plain JS: a configure that only validates and forgets to return the options.
    const validatesOnly = defineMethod({
      contract: 'tdhook.method/1',
      id: 'acme/validates-only',
      configure: ((options: { readonly key?: string }) => {
        if (options.key === '') throw new Error('empty key');
      }) as never,
      plan,
      bind,
    });
    expect(() => validatesOnly({})).toThrow(ContractError);
    expect(() => validatesOnly({})).toThrow(
      /Method 'acme\/validates-only' configure\(\) returned undefined, not the options object/,
    );
    const returnsNull = defineMethod({
      contract: 'tdhook.method/1',
      id: 'acme/returns-null',
      configure: () => null,
      plan,
      bind,
    });
    expect(() => returnsNull({})).toThrow(/configure\(\) returned null/);
  });

  it('describes a configured method as JSON without a model; callbacks need stable ids', () => {
    const method = captureActivations({ paths: ['linear1', 'relu'], key: 'acts' });
    const description = method.describe();
    expect(JSON.parse(JSON.stringify(description))).toEqual({
      id: 'test/capture-activations',
      contract: 'tdhook.method/1',
      options: { key: 'acts', paths: ['linear1', 'relu'] },
      requirements: { modelPasses: 1, gradients: 'optional' },
      hooks: [
        { direction: 'forward', operation: 'capture', path: 'linear1' },
        { direction: 'forward', operation: 'capture', path: 'relu' },
      ],
      inKeys: [['input']],
      outKeys: [
        ['acts', 'linear1'],
        ['acts', 'relu'],
      ],
      collects: true,
    });
    expect(Object.isFrozen(description)).toBe(true);
    const withCallback = defineMethod<{ readonly reduce: (t: tf.Tensor) => tf.Tensor }>({
      contract: 'tdhook.method/1',
      id: 'acme/reduce',
      plan,
      bind,
    });
    const reduce = (t: tf.Tensor): tf.Tensor => tf.mean(t);
    expect(() => withCallback({ reduce }).describe()).toThrow(ContractError);
    expect(() => withCallback({ reduce }).describe()).toThrow(
      /needs an explicit stable identifier to be described \(at options.reduce\)/,
    );
    expect(withCallback({ reduce }).describe({ callbackIds: new Map([[reduce, 'mean']]) })).toMatchObject({
      options: { reduce: { callback: 'mean' } },
    });
  });

  it('registers methods explicitly and lists them', () => {
    const registry = createMethodRegistry().use(captureActivations).use(addToOutput);
    expect(registry.list().map((entry) => entry.id)).toEqual([
      'test/capture-activations',
      'test/add-to-output',
    ]);
    expect(registry.get('test/add-to-output')).toBe(addToOutput);
    expect(() => registry.use(addToOutput)).toThrow(/already registered/);
    expect(() => registry.get('acme/none')).toThrow(
      /No method 'acme\/none' is registered .*Installed: test\/capture-activations, test\/add-to-output/,
    );
    expect(() => registry.use((() => undefined) as never)).toThrow(
      /takes a method factory made by defineMethod/,
    );
    expect(TdhookError.is(new ContractError({ what: 'x' }))).toBe(true);
  });
});

describe('workflows', () => {
  const dataFor = (): TensorDict => new TensorDict({ input: tf.tensor2d([[1], [-2]]) }, { batchShape: [2] });

  it('run two read-only captures in one shared model pass', () => {
    const net = smallNet();
    const calls = countCalls(net);
    const data = dataFor();
    const workflow = new Workflow([
      captureActivations({ paths: ['linear1'], key: 'first' }),
      captureActivations({ paths: ['relu'], key: 'second' }),
    ]);
    const plan = workflow.plan(net, data);
    expect(plan.modelPasses).toBe(1);
    expect(plan.executions).toHaveLength(1);
    expect(plan.executions[0]?.coexecuted).toBe(true);
    expect(plan.decisions).toEqual([
      {
        existing: ['0:test/capture-activations'],
        candidate: '1:test/capture-activations',
        compatible: true,
        reason: 'bound read-only capture programs are compatible',
      },
    ]);
    const { data: result } = workflow.run(net, data);
    expect(calls.count).toBe(1);
    expect(values(result.getTensor(['first', 'linear1']))).toEqual([2, -4]);
    expect(values(result.getTensor(['second', 'relu']))).toEqual([2, 0]);
    expect(values(result.getTensor('output'))).toEqual([6, 0]);
    expect(hookCounts(net.namedChildren()[0]?.[1] ?? net).forward).toBe(0);
    calls.remove();
    result.dispose();
    data.dispose();
    net.dispose();
  });

  it('split a capture and a mutating method into two passes, saying why', () => {
    const net = smallNet();
    const calls = countCalls(net);
    const data = dataFor();
    const workflow = new Workflow([
      captureActivations({ paths: ['linear1'] }),
      addToOutput({ path: 'linear2', amount: 10 }),
    ]);
    const { data: result, plan } = workflow.run(net, data);
    expect(plan.modelPasses).toBe(2);
    expect(plan.decisions[0]?.compatible).toBe(false);
    expect(plan.decisions[0]?.reason).toBe('only read-only capture programs can share a model pass');
    expect(calls.count).toBe(2);
    expect(values(result.getTensor('output'))).toEqual([16, 10]);
    calls.remove();
    result.dispose();
    data.dispose();
    net.dispose();
  });

  it('reject a missing input before any model call, and output collisions unless marked as updates', () => {
    const net = smallNet();
    const calls = countCalls(net);
    const data = dataFor();
    const needsMissing = defineOperator({
      name: 'needs-missing',
      inKeys: ['missing'],
      outKeys: ['done'],
      run: (d) => d.clone(),
    });
    expect(() =>
      new Workflow([captureActivations({ paths: ['relu'] }), needsMissing]).run(net, data),
    ).toThrow(PlanError);
    expect(() => new Workflow([needsMissing]).plan(net, data)).toThrow(
      /Step 0:needs-missing requires missing TensorDict keys "missing"/,
    );
    expect(calls.count).toBe(0);
    const twice = [captureActivations({ paths: ['relu'] }), captureActivations({ paths: ['relu'] })];
    expect(() => new Workflow(twice).plan(net, data)).toThrow(
      /overlaps \["cache","relu"\] owned by step 0:test\/capture-activations.*\{ update: step \}/,
    );
    const updated = new Workflow([
      captureActivations({ paths: ['relu'] }),
      { update: captureActivations({ paths: ['relu'] }) },
    ]);
    expect(updated.plan(net, data).modelPasses).toBe(1);
    expect(() => new Workflow([{} as never])).toThrow(/neither a configured method nor an operator/);
    calls.remove();
    data.dispose();
    net.dispose();
  });

  it('run operators on what earlier steps wrote', () => {
    const net = smallNet();
    const data = dataFor();
    const summary = defineOperator({
      name: 'sum-cache',
      inKeys: [['cache', 'linear1']],
      outKeys: [['summary', 'total']],
      run: (d) =>
        new TensorDict(
          { summary: { total: tf.sum(d.getTensor(['cache', 'linear1']), -1) } },
          { batchShape: d.batchShape },
        ),
    });
    const workflow = new Workflow([captureActivations({ paths: ['linear1'] }), summary]);
    const { data: result, plan } = workflow.run(net, data);
    expect(plan.executions.map((e) => [e.kind, e.modelPasses])).toEqual([
      ['method', 1],
      ['operator', 0],
    ]);
    expect(values(result.getTensor(['summary', 'total']))).toEqual([2, -4]);
    expect(JSON.parse(JSON.stringify(workflow.describe()))).toMatchObject([
      { step: '0:test/capture-activations' },
      { step: '1:sum-cache', operator: 'sum-cache' },
    ]);
    result.dispose();
    data.dispose();
    net.dispose();
  });

  it('reject backward hooks in a method that does not require gradients', () => {
    const net = smallNet();
    const data = dataFor();
    const sloppy = defineMethod<null>({
      contract: 'tdhook.method/1',
      id: 'test/sloppy',
      requirements: () => ({ modelPasses: 1, gradients: 'optional' }),
      plan: (_o, model) => ({
        hooks: [{ path: 'relu', direction: 'backward-pre', operation: 'capture' }],
        inKeys: model.inKeys,
        outKeys: [],
      }),
      bind: (_o, context) => {
        context.hook({ path: 'relu', direction: 'backward-pre', operation: 'capture' }, () => undefined);
        return { run: (d) => context.model.run(d) };
      },
    });
    expect(() => new Workflow([sloppy(null)]).plan(net, data)).toThrow(
      /installs backward hooks but declares gradients 'optional'/,
    );
    data.dispose();
    net.dispose();
  });
});
