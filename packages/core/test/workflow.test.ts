// Workflow composition (issue 12 §4): the model's outputs are shared by the methods that publish them, only
// runners that can collect share a pass (and users can turn sharing off), cleanups that fail, plan checks,
// installs after bind, plans made again for every run, and bad data or models given to a workflow.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { hookCounts } from '../src/hooks/hook-state.js';
import { Lambda, Sequential } from '../src/modules/containers.js';
import { captureRunner } from '../src/methods/capture-runner.js';
import { defineMethod, type MethodFactory } from '../src/methods/define-method.js';
import type { HookSpec } from '../src/methods/hook-spec.js';
import type { BindContext, MethodRunner } from '../src/methods/method-definition.js';
import { defineOperator } from '../src/methods/operator.js';
import { Workflow } from '../src/methods/workflow.js';
import { TensorDict } from '../src/tensordict/tensor-dict.js';
import { captureActivations } from './test-methods.js';
import { countCalls, smallNet, values } from './small-net.js';

const dataFor = (): TensorDict => new TensorDict({ input: tf.tensor2d([[1], [-2]]) }, { batchShape: [2] });

/** No submodule carries a hook or a shadowed forward (the root may carry a test's call counter). */
function clean(model: Sequential): boolean {
  return model
    .namedChildren()
    .every(
      ([, node]) =>
        Object.values(hookCounts(node)).every((count) => count === 0) && !Object.hasOwn(node, 'forward'),
    );
}

/**
 * Like a gradient attribution method: read-only captures at `path`, its own model pass (no collect), and a
 * plan that lists the model's outputs among its outputs because run() publishes them. Writes twice the
 * captured activation under `[key, path]`.
 */
const ownPassCapture: MethodFactory<{ readonly path: string; readonly key: string }> = defineMethod({
  contract: 'tdhook.method/1',
  id: 'test/own-pass-capture',
  requirements: () => ({ modelPasses: 1, gradients: 'optional' }),
  plan: ({ path, key }, model) => ({
    hooks: [{ path, direction: 'forward', operation: 'capture' }],
    inKeys: model.inKeys,
    outKeys: [...model.outKeys, [key, path]],
  }),
  bind: ({ path, key }, context) => {
    let captured: tf.Tensor | undefined;
    context.hook({ path, direction: 'forward', operation: 'capture' }, (output) => {
      captured = tf.keep(tf.mul(output as tf.Tensor, 2));
    });
    return {
      run: (data) => {
        const result = context.model.run(data);
        if (captured !== undefined) result.set([key, path], captured);
        captured = undefined;
        return result;
      },
    };
  },
});

/** A method whose bind and restore are scripted by the test. */
function scripted(
  id: `${string}/${string}`,
  hooks: readonly HookSpec[],
  bind: (context: BindContext) => MethodRunner,
  collects = false,
): MethodFactory<null> {
  return defineMethod<null>({
    contract: 'tdhook.method/1',
    id,
    plan: (_options, model) => ({ hooks, inKeys: model.inKeys, outKeys: [], collects }),
    bind: (_options, context) => bind(context),
  });
}

const nullSpec = (operation: string): HookSpec & { readonly direction: null } => ({
  path: '',
  direction: null,
  operation,
});

describe('workflows: the model outputs belong to no step (issue 12 §4.1)', () => {
  it('two methods that both publish "output" share a workflow; their own outputs still may not collide', () => {
    const net = smallNet();
    const data = dataFor();
    const workflow = new Workflow([
      ownPassCapture({ path: 'linear1', key: 'first' }),
      ownPassCapture({ path: 'relu', key: 'second' }),
    ]);
    const { data: result, plan } = workflow.run(net, data);
    expect(plan.executions.map((execution) => execution.outKeys)).toEqual([
      [['output'], ['first', 'linear1']],
      [['output'], ['second', 'relu']],
    ]);
    expect(values(result.getTensor(['first', 'linear1']))).toEqual([4, -8]);
    expect(values(result.getTensor(['second', 'relu']))).toEqual([4, 0]);
    expect(values(result.getTensor('output'))).toEqual([6, 0]);
    result.dispose();
    expect(() =>
      new Workflow([
        ownPassCapture({ path: 'relu', key: 'same' }),
        ownPassCapture({ path: 'relu', key: 'same' }),
      ]).plan(net, data),
    ).toThrowTdhookError(
      'E_PLAN',
      /Step 1:test\/own-pass-capture writes \["same","relu"\], which overlaps \["same","relu"\] owned by step 0/,
    );
    expect(clean(net)).toBe(true);
    data.dispose();
    net.dispose();
  });

  it('model outputs under other keys ({ outKeys }) are shared the same way', () => {
    const net = smallNet();
    const data = dataFor();
    const workflow = new Workflow(
      [ownPassCapture({ path: 'linear1', key: 'a' }), ownPassCapture({ path: 'linear2', key: 'b' })],
      { outKeys: [['model', 'logits']] },
    );
    const { data: result } = workflow.run(net, data);
    expect(values(result.getTensor(['model', 'logits']))).toEqual([6, 0]);
    expect(values(result.getTensor(['b', 'linear2']))).toEqual([12, 0]);
    result.dispose();
    data.dispose();
    net.dispose();
  });
});

describe('workflows: shared passes only for runners that can collect (issue 12 §4.2)', () => {
  it('two capture-only methods without collect() run in two passes, also as { update }, saying why', () => {
    const net = smallNet();
    const data = dataFor();
    const calls = countCalls(net);
    for (const second of [
      ownPassCapture({ path: 'relu', key: 'b' }),
      { update: ownPassCapture({ path: 'relu', key: 'b' }) },
    ]) {
      const workflow = new Workflow([ownPassCapture({ path: 'linear1', key: 'a' }), second]);
      const plan = workflow.plan(net, data);
      expect(clean(net)).toBe(true); // planning bound both for a moment and restored them
      expect(plan.modelPasses).toBe(2);
      expect(plan.decisions).toEqual([
        {
          existing: ['0:test/own-pass-capture'],
          candidate: '1:test/own-pass-capture',
          compatible: false,
          reason:
            '0:test/own-pass-capture cannot collect from a pass another method runs (its plan does not declare collects: true)',
        },
      ]);
      const before = calls.count;
      const { data: result } = workflow.run(net, data);
      expect(calls.count - before).toBe(2);
      expect(values(result.getTensor(['a', 'linear1']))).toEqual([4, -8]);
      expect(values(result.getTensor(['b', 'relu']))).toEqual([4, 0]);
      result.dispose();
    }
    expect(calls.count).toBe(2 * 2);
    calls.remove();
    expect(clean(net)).toBe(true);
    data.dispose();
    net.dispose();
  });

  it('a collecting capture next to one that cannot collect: separate passes, the collecting one first', () => {
    const net = smallNet();
    const data = dataFor();
    const workflow = new Workflow([
      captureActivations({ paths: ['relu'], key: 'cache' }),
      ownPassCapture({ path: 'linear1', key: 'own' }),
    ]);
    const plan = workflow.plan(net, data);
    expect(plan.executions.map((execution) => execution.coexecuted)).toEqual([false, false]);
    expect(plan.decisions[0]?.reason).toMatch(/1:test\/own-pass-capture cannot collect/);
    const { data: result } = workflow.run(net, data);
    expect(values(result.getTensor(['cache', 'relu']))).toEqual([2, 0]);
    expect(values(result.getTensor(['own', 'linear1']))).toEqual([4, -8]);
    result.dispose();
    data.dispose();
    net.dispose();
  });

  it('a collecting method that needs two passes shares none, also as the first of a group', () => {
    const net = smallNet();
    const data = dataFor();
    const twoPassCapture = defineMethod({
      ...captureActivations.definition,
      id: 'test/two-pass-capture',
      requirements: () => ({ modelPasses: 2, gradients: 'optional' }),
    });
    for (const steps of [
      [twoPassCapture({ paths: ['linear1'], key: 'a' }), captureActivations({ paths: ['relu'], key: 'b' })],
      [captureActivations({ paths: ['relu'], key: 'b' }), twoPassCapture({ paths: ['linear1'], key: 'a' })],
    ]) {
      const plan = new Workflow(steps).plan(net, data);
      expect(plan.executions.map((execution) => [execution.coexecuted, execution.modelPasses])).toEqual(
        steps[0]?.id === 'test/two-pass-capture'
          ? [
              [false, 2],
              [false, 1],
            ]
          : [
              [false, 1],
              [false, 2],
            ],
      );
      expect(plan.modelPasses).toBe(3);
      expect(plan.decisions[0]).toMatchObject({
        compatible: false,
        reason: 'co-execution needs exactly one model pass per method',
      });
      const { data: result } = new Workflow(steps).run(net, data);
      expect(values(result.getTensor(['a', 'linear1']))).toEqual([2, -4]);
      expect(values(result.getTensor(['b', 'relu']))).toEqual([2, 0]);
      result.dispose();
    }
    data.dispose();
    net.dispose();
  });

  it('sharePasses: false runs every method in its own pass, with the same results', () => {
    const net = smallNet();
    const data = dataFor();
    const calls = countCalls(net);
    const steps = [
      captureActivations({ paths: ['linear1'], key: 'first' }),
      captureActivations({ paths: ['relu'], key: 'second' }),
    ];
    const shared = new Workflow(steps).run(net, data);
    expect(shared.plan.modelPasses).toBe(1);
    const separate = new Workflow(steps, { sharePasses: false });
    expect(separate.sharePasses).toBe(false);
    const { data: result, plan } = separate.run(net, data);
    expect(plan.modelPasses).toBe(2);
    expect(plan.decisions[0]).toMatchObject({
      compatible: false,
      reason: 'shared passes are turned off for this workflow (sharePasses: false)',
    });
    expect(calls.count).toBe(1 + 2);
    for (const key of [['first', 'linear1'], ['second', 'relu'], ['output']] as const) {
      expect(values(result.getTensor(key))).toEqual(values(shared.data.getTensor(key)));
    }
    expect(() => new Workflow(steps, { sharePasses: 'no' as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /sharePasses must be a boolean, got string/,
    );
    calls.remove();
    result.dispose();
    shared.data.dispose();
    data.dispose();
    net.dispose();
  });
});

describe('cleanups that fail', () => {
  /** Records three changes whose undos log their order; the undos of 'second' and 'third' throw. */
  const failingUndos = (log: string[]): MethodFactory<null> =>
    scripted('test/failing-undos', [nullSpec('first'), nullSpec('second'), nullSpec('third')], (context) => {
      context.record(nullSpec('first'), () => void log.push('first'));
      context.record(nullSpec('second'), () => {
        log.push('second');
        throw new Error('second undo failed');
      });
      context.record(nullSpec('third'), () => {
        log.push('third');
        throw new Error('third undo failed');
      });
      return { run: (data) => context.model.run(data) };
    });

  it('run in reverse order, all of them, and the first error (the last change undone first) is kept', () => {
    const net = smallNet();
    const log: string[] = [];
    const prepared = failingUndos(log)(null).prepare(net);
    expect(() => {
      prepared.restore();
    }).toThrowTdhookError('E_HOOK', /Removing a hook failed/);
    expect(log).toEqual(['third', 'second', 'first']);
    const again = failingUndos([])(null).prepare(net);
    const error = ((): unknown => {
      try {
        again.restore();
        return undefined;
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(((error as Error).cause as Error).message).toBe('third undo failed');
    prepared.restore(); // idempotent: nothing runs twice
    expect(log).toEqual(['third', 'second', 'first']);
    net.dispose();
  });

  it('do not hide the error that led to them (bind, run, and a workflow step)', () => {
    const net = smallNet();
    const data = dataFor();
    const log: string[] = [];
    const failingBind = scripted('test/failing-bind', [nullSpec('edit')], (context) => {
      context.record(nullSpec('edit'), () => {
        log.push('undo');
        throw new Error('undo failed');
      });
      throw new Error('bind failed');
    });
    expect(() => failingBind(null).prepare(net)).toThrow('bind failed');
    const failingRun = scripted('test/failing-run', [nullSpec('edit')], (context) => {
      context.record(nullSpec('edit'), () => {
        log.push('undo');
        throw new Error('undo failed');
      });
      return {
        run: () => {
          throw new Error('run failed');
        },
      };
    });
    expect(() => failingRun(null).prepare(net).run(data)).toThrow('run failed');
    expect(() => new Workflow([failingRun(null)]).run(net, data)).toThrow('run failed');
    expect(log).toEqual(['undo', 'undo', 'undo']);
    // The method can be prepared again: every prepared model was released.
    expect(() => {
      failingRun(null).prepare(net).restore();
    }).toThrowTdhookError('E_HOOK');
    expect(clean(net)).toBe(true);
    data.dispose();
    net.dispose();
  });

  it('in a shared pass, a failing collect restores every method and is the error seen', () => {
    const net = smallNet();
    const data = dataFor();
    const failingCollect = scripted(
      'test/failing-collect',
      [{ path: 'linear2', direction: 'forward', operation: 'capture' }],
      (context) => {
        context.hook({ path: 'linear2', direction: 'forward', operation: 'capture' }, () => undefined);
        return captureRunner(context.model, () => {
          throw new Error('collect failed');
        });
      },
      true,
    );
    // The failing one last, so that the test captures before it are collected (and freed).
    const workflow = new Workflow([
      captureActivations({ paths: ['linear1'], key: 'a' }),
      captureActivations({ paths: ['relu'], key: 'b' }),
      failingCollect(null),
    ]);
    expect(workflow.plan(net, data).executions[0]?.coexecuted).toBe(true);
    expect(() => workflow.run(net, data)).toThrow('collect failed');
    expect(clean(net)).toBe(true);
    // Every method was released: the same workflow plans and prepares again.
    expect(workflow.plan(net, data).modelPasses).toBe(1);
    data.dispose();
    net.dispose();
  });

  it('a restore that fails after a successful step fails the run, with no partial result', () => {
    const net = smallNet();
    const data = dataFor();
    const failingUndo = scripted(
      'test/failing-undo',
      [{ path: 'relu', direction: 'forward', operation: 'replace' }, nullSpec('edit')],
      (context) => {
        context.hook({ path: 'relu', direction: 'forward', operation: 'replace' }, () => undefined);
        context.record(nullSpec('edit'), () => {
          throw new Error('undo failed');
        });
        return { run: (d) => context.model.run(d) };
      },
    );
    expect(() =>
      new Workflow([captureActivations({ paths: ['linear1'] }), failingUndo(null)]).run(net, data),
    ).toThrowTdhookError('E_HOOK', /Removing a hook failed/);
    expect(clean(net)).toBe(true); // the replace hook was removed all the same
    expect(data.keys()).toEqual([['input']]);
    data.dispose();
    net.dispose();
  });
});

describe('plans are checked', () => {
  it('HookSpec fields: path, direction, operation and prepend, naming the method', () => {
    const withHooks = (hooks: unknown[]): MethodFactory<null> =>
      scripted('test/bad-spec', hooks as HookSpec[], (context) => ({
        run: (data) => context.model.run(data),
      }));
    const cases: [unknown, RegExp][] = [
      [{ path: 3, direction: 'forward', operation: 'capture' }, /path must be a string, got number/],
      [
        { path: 'relu', direction: 'fwd', operation: 'capture' },
        /direction must be one of forward-pre, forward, backward-pre, backward or null, got "fwd" \(at test\/bad-spec plan, path 'relu'\)/,
      ],
      [{ path: 'relu', direction: 'forward', operation: '' }, /needs a non-empty operation/],
      [
        { path: 'relu', direction: 'forward', operation: 'capture', prepend: 'yes' },
        /prepend must be a boolean/,
      ],
    ];
    const net = smallNet();
    const data = dataFor();
    for (const [spec, pattern] of cases) {
      const method = withHooks([spec])(null);
      expect(() => method.plan()).toThrowTdhookError('E_INVALID_VALUE', pattern);
      expect(() => method.describe()).toThrowTdhookError('E_INVALID_VALUE', pattern);
      expect(() => new Workflow([method]).plan(net, data)).toThrowTdhookError('E_INVALID_VALUE', pattern);
      expect(() => method.prepare(net)).toThrowTdhookError('E_INVALID_VALUE', pattern);
    }
    expect(clean(net)).toBe(true);
    data.dispose();
    net.dispose();
  });

  it('record() needs an undo function; nothing stays installed', () => {
    const net = smallNet();
    const noUndo = scripted('test/no-undo', [nullSpec('edit')], (context) => {
      context.record(nullSpec('edit'), undefined as never);
      return { run: (data) => context.model.run(data) };
    });
    expect(() => noUndo(null).prepare(net)).toThrowTdhookError('E_CONTRACT', /without an undo function/);
    net.dispose();
  });

  it('onRestore() runs its release once at restore (also after a failed run) and is not in the program', () => {
    const net = smallNet();
    const data = dataFor();
    const spec = { path: 'relu', direction: 'forward', operation: 'capture' } as const;
    let released = 0;
    const freeing = (fail: boolean) =>
      scripted('test/frees', [spec], (context) => {
        context.onRestore(() => {
          released += 1;
        });
        context.hook(spec, () => undefined);
        return {
          run: (input) => {
            if (fail) throw new Error('boom');
            return context.model.run(input);
          },
        };
      })(null);
    const prepared = freeing(false).prepare(net);
    expect(prepared.program).toEqual([spec]);
    expect(released).toBe(0);
    prepared.restore();
    prepared.restore();
    expect(released).toBe(1);
    const failing = freeing(true).prepare(net);
    expect(() => failing.run(data)).toThrow(/boom/);
    expect(released).toBe(2);
    const noRelease = scripted('test/no-release', [], (context) => {
      context.onRestore(undefined as never);
      return { run: (input) => context.model.run(input) };
    });
    expect(() => noRelease(null).prepare(net)).toThrowTdhookError(
      'E_CONTRACT',
      /onRestore without a function/,
    );
    expect(clean(net)).toBe(true);
    data.dispose();
    net.dispose();
  });

  it('a hook installed after bind returned is refused, and the model is restored', () => {
    const net = smallNet();
    const data = dataFor();
    const spec = { path: 'relu', direction: 'forward', operation: 'capture' } as const;
    const late = scripted('test/late', [spec], (context) => {
      context.hook(spec, () => undefined);
      return {
        run: (input) => {
          context.hook(spec, () => undefined);
          return context.model.run(input);
        },
      };
    });
    const prepared = late(null).prepare(net);
    expect(() => prepared.run(data)).toThrowTdhookError(
      'E_CONTRACT',
      /Method 'test\/late' tried to install a hook after bind\(\) returned/,
    );
    expect(prepared.active).toBe(false);
    expect(clean(net)).toBe(true);
    const lateRecord = scripted('test/late-record', [nullSpec('edit')], (context) => ({
      run: (input) => {
        context.record(nullSpec('edit'), () => undefined);
        return context.model.run(input);
      },
    }));
    expect(() => lateRecord(null).prepare(net)).toThrowTdhookError('E_CONTRACT', /planned 1 change/);
    expect(clean(net)).toBe(true);
    data.dispose();
    net.dispose();
  });
});

describe('plans are never stale', () => {
  it('every run plans again for its own data', () => {
    const net = smallNet();
    const needsExtra = defineOperator({
      name: 'copy-extra',
      inKeys: ['extra'],
      outKeys: ['copied'],
      run: (d) => new TensorDict({ copied: tf.clone(d.getTensor('extra')) }, { batchShape: d.batchShape }),
    });
    const workflow = new Workflow([captureActivations({ paths: ['relu'] }), needsExtra]);
    const without = dataFor();
    expect(() => workflow.plan(net, without)).toThrowTdhookError(
      'E_PLAN',
      /requires missing TensorDict keys "extra"/,
    );
    const withExtra = new TensorDict(
      { input: tf.tensor2d([[3], [-1]]), extra: tf.tensor1d([7, 8]) },
      { batchShape: [2] },
    );
    const { data: result, plan } = workflow.run(net, withExtra);
    expect(plan.executions.map((execution) => execution.kind)).toEqual(['method', 'operator']);
    expect(values(result.getTensor('copied'))).toEqual([7, 8]);
    expect(values(result.getTensor(['cache', 'relu']))).toEqual([6, 0]);
    result.dispose();
    expect(() => workflow.run(net, without)).toThrowTdhookError('E_PLAN', /"extra"/);
    without.dispose();
    withExtra.dispose();
    net.dispose();
  });

  it("a runner that breaks its plan's word on collects fails at bind, before any model call", () => {
    const net = smallNet();
    const data = dataFor();
    const calls = countCalls(net);
    const spec: HookSpec = { path: 'relu', direction: 'forward', operation: 'capture' };
    const install = (context: BindContext): void => {
      context.hook({ path: 'relu', direction: 'forward', operation: 'capture' }, () => undefined);
    };
    const collect = (pass: TensorDict): TensorDict => new TensorDict({}, { batchShape: pass.batchShape });
    const claims = scripted(
      'test/claims-collect',
      [spec],
      (context) => {
        install(context);
        return { run: (d) => context.model.run(d) };
      },
      true,
    );
    const hides = scripted('test/hides-collect', [spec], (context) => {
      install(context);
      return captureRunner(context.model, collect);
    });
    const claiming = new Workflow([captureActivations({ paths: ['linear1'] }), claims(null)]);
    expect(claiming.plan(net, data).modelPasses).toBe(1); // planned from the plans alone: nothing bound
    expect(() => claiming.run(net, data)).toThrowTdhookError(
      'E_CONTRACT',
      /test\/claims-collect' declares collects: true but its runner has no collect\(\)/,
    );
    expect(() => hides(null).prepare(net)).toThrowTdhookError(
      'E_CONTRACT',
      /test\/hides-collect' returned a runner with collect\(\) but its plan does not declare collects: true/,
    );
    expect(calls.count).toBe(0);
    calls.remove();
    expect(clean(net)).toBe(true);
    data.dispose();
    net.dispose();
  });

  it('a step that does not write an output its plan declares fails the run, leaving no partial result', () => {
    const net = smallNet();
    const data = dataFor();
    const liar = defineMethod<null>({
      contract: 'tdhook.method/1',
      id: 'test/liar',
      plan: (_options, model) => ({ hooks: [], inKeys: model.inKeys, outKeys: [['promised']] }),
      bind: (_options, context) => ({ run: (d) => context.model.run(d) }),
    });
    const workflow = new Workflow([captureActivations({ paths: ['relu'] }), liar(null)]);
    expect(() => workflow.run(net, data)).toThrowTdhookError(
      'E_PLAN',
      /A step did not write "promised", which its plan declares/,
    );
    expect(data.keys()).toEqual([['input']]);
    expect(clean(net)).toBe(true);
    data.dispose();
    net.dispose();
  });
});

describe('bad data or models given to a workflow', () => {
  it('are typed errors before anything is installed or run', () => {
    const net = smallNet();
    const data = dataFor();
    const workflow = new Workflow([captureActivations({ paths: ['relu'] })]);
    const x = tf.tensor2d([[1]]);
    const loose = workflow as unknown as Record<'run' | 'plan', (...args: unknown[]) => unknown>;
    for (const call of ['run', 'plan'] as const) {
      expect(() => loose[call](net, { input: x })).toThrowTdhookError(
        'E_INVALID_VALUE',
        new RegExp(
          `A workflow runs on a TensorDict, got \\{input: float32\\[1,1\\]\\} \\(at Workflow.${call}\\)`,
        ),
      );
      expect(() => loose[call]({}, data)).toThrowTdhookError('E_INVALID_VALUE', /Expected a model/);
      expect(() => loose[call](undefined, data)).toThrowTdhookError('E_INVALID_VALUE', /Expected a model/);
    }
    expect(() => new Workflow('steps' as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /A workflow takes an array of steps, got string/,
    );
    expect(() => new Workflow([], null as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Workflow options must be an object, got null/,
    );
    // Data without the model's input: a plan error naming the key, before any model call.
    const calls = countCalls(net);
    using other = new TensorDict({ pixels: tf.ones([2, 1]) }, { batchShape: [2] });
    expect(() => workflow.run(net, other)).toThrowTdhookError(
      'E_PLAN',
      /Step 0:test\/capture-activations requires missing TensorDict keys "input"/,
    );
    // Data the model cannot take (a wrong feature size for a matMul model would fail the same way): the
    // error comes from the model, every hook is removed and no result is left.
    const failing = new Sequential({
      linear1: new Lambda('fail', () => {
        throw new Error('model failed');
      }),
    });
    expect(() => new Workflow([captureActivations({ paths: ['linear1'] })]).run(failing, data)).toThrow(
      /model failed/,
    );
    expect(clean(failing)).toBe(true);
    expect(calls.count).toBe(0);
    calls.remove();
    expect(clean(net)).toBe(true);
    x.dispose();
    data.dispose();
    net.dispose();
  });
});
