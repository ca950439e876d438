// Plans made against a model: the model reaches plan() at prepare, plan(keys, model) and describe({ model });
// model-free plans may declare patterns, model plans may not; a spec's detail is JSON and part of the spec.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { ContractError, InvalidValueError } from '../src/errors.js';
import { hookCounts } from '../src/hooks/hook-state.js';
import { Lambda, Sequential } from '../src/modules/containers.js';
import { namedModules, resolveModule } from '../src/modules/resolve-module.js';
import { defineMethod } from '../src/methods/define-method.js';
import { checkHookSpec, isPatternSpec, sameHookSpec, type HookSpec } from '../src/methods/hook-spec.js';
import type { MethodModelInfo } from '../src/methods/method-definition.js';
import { TensorDict } from '../src/tensordict/tensor-dict.js';

const net = (): Sequential =>
  new Sequential({
    double: new Lambda('double', (x: tf.Tensor) => tf.mul(x, 2)),
    relu: new Lambda('relu', (x: tf.Tensor) => tf.relu(x)),
    negate: new Lambda('negate', (x: tf.Tensor) => tf.neg(x)),
  });

/** Clamps the output of every module whose name starts with `prefix`; lists them when it sees the model. */
function clampHooks(prefix: string, model: MethodModelInfo): HookSpec[] {
  if (model.node === undefined) {
    return [{ path: '*', direction: 'forward', operation: 'clamp', detail: { modules: `named ${prefix}*` } }];
  }
  return namedModules(model.node)
    .filter(([path]) => path.startsWith(prefix))
    .map(([path]) => ({ path, direction: 'forward', operation: 'clamp', detail: { prefix, path } }));
}

const seen: (MethodModelInfo['node'] | 'none')[] = [];

const clampOutputs = defineMethod<{ readonly prefix: string; readonly detailOf?: (path: string) => object }>({
  contract: 'tdhook.method/1',
  id: 'test/clamp-outputs',
  plan: ({ prefix }, model) => {
    seen.push(model.node ?? 'none');
    return { hooks: clampHooks(prefix, model), inKeys: model.inKeys, outKeys: [] };
  },
  bind: ({ prefix, detailOf }, context) => {
    for (const [path] of namedModules(context.model.model).filter(([name]) => name.startsWith(prefix))) {
      const detail = (detailOf?.(path) ?? { prefix, path }) as HookSpec['detail'];
      context.hook({ path, direction: 'forward', operation: 'clamp', ...(detail && { detail }) }, (output) =>
        tf.clipByValue(output as tf.Tensor, -1, 1),
      );
    }
    return { run: (data) => context.model.run(data) };
  },
});

describe('plans against a model', () => {
  it('get the model at prepare, plan(keys, model) and describe({ model }); not without one', () => {
    const model = net();
    const method = clampOutputs({ prefix: 'ne' });
    seen.length = 0;
    expect(method.plan().hooks).toEqual([
      { path: '*', direction: 'forward', operation: 'clamp', detail: { modules: 'named ne*' } },
    ]);
    expect(method.plan({}, model).hooks).toEqual([
      { path: 'negate', direction: 'forward', operation: 'clamp', detail: { path: 'negate', prefix: 'ne' } },
    ]);
    const described = method.describe({ model }) as { hooks: unknown[] };
    expect(described.hooks).toEqual([
      { path: 'negate', direction: 'forward', operation: 'clamp', detail: { path: 'negate', prefix: 'ne' } },
    ]);
    expect((method.describe() as { hooks: unknown[] }).hooks).toHaveLength(1);
    {
      using prepared = method.prepare(model);
      expect(prepared.program.map((spec) => spec.path)).toEqual(['negate']);
      using data = new TensorDict({ input: tf.tensor2d([[-3, 0.5]]) }, { batchShape: [1] });
      using result = prepared.run(data);
      // double → relu → negate → clamp: [-3, 0.5] → [0, 1] → [0, -1] → [0, -1].
      expect(Array.from(result.getTensor(['output']).dataSync())).toEqual([-0, -1]);
    }
    expect(seen).toEqual(['none', model, model, 'none', model]);
    expect(hookCounts(resolveModule(model, 'negate')).forward).toBe(0);
    model.dispose();
  });

  it('refuses a pattern in a plan made against a model, and a model that is not one', () => {
    const lazy = defineMethod<object>({
      contract: 'tdhook.method/1',
      id: 'test/lazy-pattern',
      plan: (_, model) => ({
        hooks: [{ path: '*', direction: 'forward', operation: 'clamp' }],
        inKeys: model.inKeys,
        outKeys: [],
      }),
      bind: (_, context) => ({ run: (data) => context.model.run(data) }),
    })({});
    const model = net();
    expect(lazy.plan().hooks).toHaveLength(1);
    expect(() => lazy.plan({}, model)).toThrow(ContractError);
    expect(() => lazy.prepare(model)).toThrow(/patterns \(path '\*'\) are for model-free plans/);
    expect(() => lazy.describe({ model: { not: 'a model' } as never })).toThrow(InvalidValueError);
    expect(hookCounts(resolveModule(model, 'negate')).forward).toBe(0);
    model.dispose();
  });

  it('treats detail as part of the spec: bind must install what the plan declared', () => {
    const model = net();
    const sloppy = clampOutputs({ prefix: 're', detailOf: (path) => ({ prefix: 'other', path }) });
    expect(() => sloppy.prepare(model)).toThrow(/which its plan does not declare/);
    expect(hookCounts(resolveModule(model, 'relu')).forward).toBe(0);
    model.dispose();
  });
});

describe('hook spec detail', () => {
  it('is checked to be JSON, stored with sorted keys, and compared', () => {
    const spec = checkHookSpec(
      {
        path: 'fc1',
        direction: 'forward',
        operation: 'lrp-rule',
        detail: { rule: 'epsilon', params: { epsilon: 1e-6 } },
      },
      'test',
    );
    expect(Object.keys(spec.detail ?? {})).toEqual(['params', 'rule']);
    expect(Object.isFrozen(spec.detail)).toBe(true);
    const reordered: HookSpec = {
      path: 'fc1',
      direction: 'forward',
      operation: 'lrp-rule',
      detail: { params: { epsilon: 1e-6 }, rule: 'epsilon' },
    };
    expect(sameHookSpec(spec, reordered)).toBe(true);
    expect(sameHookSpec(spec, { ...reordered, detail: { rule: 'epsilon', params: { epsilon: 0.1 } } })).toBe(
      false,
    );
    expect(sameHookSpec(spec, { path: 'fc1', direction: 'forward', operation: 'lrp-rule' })).toBe(false);
    expect(() =>
      checkHookSpec({ path: 'fc1', direction: null, operation: 'x', detail: [1] as never }, 'test'),
    ).toThrow(/detail must be a JSON object/);
    expect(() =>
      checkHookSpec(
        { path: 'fc1', direction: null, operation: 'x', detail: { t: tf.scalar } as never },
        'test',
      ),
    ).toThrow(ContractError);
    expect(isPatternSpec({ path: '*', direction: null, operation: 'x' })).toBe(true);
    expect(isPatternSpec(spec)).toBe(false);
  });
});
