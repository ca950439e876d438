import * as tf from '@tensorflow/tfjs-core';
import { HookSession, resolveModule, TensorDict, Workflow, type Method } from '@tdhook/core';
import { defineMethod, hookCounts } from '@tdhook/core/plugin';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { ActivationCache, activationCaching } from '../src/index.js';
import type { Dense } from './caching-models.js';
import { inputs, manualMlp, mlp, Stack } from './caching-models.js';

const exact = { rtol: 0, atol: 0 };
const close = { rtol: 1e-5, atol: 1e-6 };

function withModel(fn: (model: ReturnType<typeof mlp>, data: TensorDict, x: tf.Tensor) => void): void {
  const model = mlp();
  const x = inputs(2);
  const data = new TensorDict({ input: x.clone() }, { batchShape: [2] });
  try {
    fn(model, data, x);
  } finally {
    data.dispose();
    x.dispose();
    model.dispose();
  }
  for (const path of ['linear1', 'linear2', 'linear3']) {
    const counts = hookCounts(resolveModule(model, path));
    expect(counts.forward + counts['forward-pre'] + counts.backward + counts['backward-pre']).toBe(0);
  }
}

describe('activationCaching (SPEC §2.3)', () => {
  it('scenario 111: "linear2" caches key "linear2", plan [capture forward linear2], published under ["activations","cache"]', () => {
    withModel((model, data, x) => {
      const method = activationCaching({ select: 'linear2', cacheKey: ['activations', 'cache'] });
      const plan = method.plan({}, model);
      expect(plan.hooks).toEqual([{ path: 'linear2', direction: 'forward', operation: 'capture' }]);
      expect(plan.inKeys).toEqual([['input']]);
      expect(plan.outKeys).toEqual([['activations', 'cache']]);
      using prepared = method.prepare(model);
      using result = prepared.run(data);
      const expected = manualMlp(model, x);
      expect(result.getTensor(['activations', 'cache', 'linear2']).shape).toEqual([2, 20]);
      expect(result.getTensor(['activations', 'cache', 'linear2'])).toBeCloseToTensor(
        expected['linear2'] as tf.Tensor,
        close,
      );
      expect(result.getTensor('output')).toBeCloseToTensor(expected['linear3'] as tf.Tensor, close);
      expect(result.keys()).toEqual([['input'], ['output'], ['activations', 'cache', 'linear2']]);
      tf.dispose(Object.values(expected));
    });
  });

  it('scenario 110: a RegExp matches model-relative paths at the start; `relative` is refused with an explanation', () => {
    withModel((model, data) => {
      using prepared = activationCaching({ select: /linear[12]/ }).prepare(model);
      using result = prepared.run(data);
      expect(result.getDict('cache').keys()).toEqual([['linear1'], ['linear2']]);
      // re.match semantics: anchored at the start only, so "inear2" matches nothing.
      expect(() => activationCaching({ select: /inear2/ }).prepare(model)).toThrowTdhookError(
        'E_INVALID_VALUE',
        /matches no module path.*'linear1'/,
      );
      expect(() => activationCaching({ select: /linear2/, relative: false } as never)).toThrowTdhookError(
        'E_INVALID_VALUE',
        /no option "relative".*always relative/,
      );
    });
  });

  it('scenario 112: a Target (indices 0, 2) caches ["cache","linear2"] [2,2]; "layers[-1]" is keyed by its literal path', () => {
    withModel((model, data, x) => {
      using prepared = activationCaching({ select: { path: 'linear2', indices: [0, 2] } }).prepare(model);
      using result = prepared.run(data);
      const expected = manualMlp(model, x);
      const units = tf.gather(expected['linear2'] as tf.Tensor, [0, 2], 1);
      expect(result.getTensor(['cache', 'linear2'])).toBeCloseToTensor(units, close);
      expect(result.getTensor(['cache', 'linear2']).shape).toEqual([2, 2]);
      tf.dispose([units, ...Object.values(expected)]);
    });
    const stack = new Stack();
    const x = inputs(3, 4);
    {
      using data = new TensorDict({ input: x.clone() }, { batchShape: [3] });
      using prepared = activationCaching({ select: 'layers[-1]' }).prepare(stack);
      using result = prepared.run(data);
      expect(result.getTensor(['cache', 'layers[-1]'])).toBeCloseToTensor(result.getTensor('output'), exact);
      expect(result.getTensor(['cache', 'layers[-1]']).shape).toEqual([3, 3]);
    }
    x.dispose();
    stack.dispose();
  });

  it('scenario 113: a gradient Target, or a Target with gradient directions, raises', () => {
    expect(() =>
      activationCaching({ select: { path: 'linear2', kind: 'gradient', indices: [0] } }),
    ).toThrowTdhookError('E_INVALID_VALUE', /caches activations only/);
    expect(() =>
      activationCaching({ select: { path: 'linear2', indices: [0] }, directions: ['backward'] }),
    ).toThrowTdhookError('E_INVALID_VALUE', /exactly one forward capture/);
    expect(() =>
      activationCaching({ select: { path: 'linear2' }, directions: ['forward', 'forward-pre'] }),
    ).toThrowTdhookError('E_INVALID_VALUE', /exactly one forward capture/);
  });

  it('scenario 114: a published cache is a snapshot; cacheKey null publishes nothing and the caller-owned cache holds the values', () => {
    withModel((model, data) => {
      using prepared = activationCaching({ select: 'linear1' }).prepare(model);
      using first = prepared.run(data);
      const before = Array.from(first.getTensor(['cache', 'linear1']).dataSync());
      using other = new TensorDict({ input: inputs(2, 10, 99) }, { batchShape: [2] });
      using second = prepared.run(other);
      expect(Array.from(first.getTensor(['cache', 'linear1']).dataSync())).toEqual(before);
      expect(Array.from(second.getTensor(['cache', 'linear1']).dataSync())).not.toEqual(before);
      prepared.restore();
      using cache = new ActivationCache();
      const unpublished = activationCaching({ select: 'linear1', cacheKey: null, cache });
      expect(unpublished.plan().outKeys).toEqual([]);
      using again = unpublished.prepare(model);
      using third = again.run(data);
      expect(third.keys()).toEqual([['input'], ['output']]);
      expect(Array.from(cache.get('linear1').dataSync())).toEqual(before);
    });
    expect(() => activationCaching({ select: 'linear1', cacheKey: null })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /unreachable/,
    );
  });

  it('scenario 115: a cache key colliding with or prefix-overlapping a model output raises; running after restore raises', () => {
    withModel((model, data) => {
      for (const [cacheKey, outKeys] of [
        ['cache', ['cache']],
        ['result', [['result', 'value']]],
        [['result', 'value', 'cache'], [['result', 'value']]],
      ] as const) {
        expect(() =>
          activationCaching({ select: 'linear1', cacheKey }).prepare(model, { outKeys: outKeys as never }),
        ).toThrowTdhookError('E_INVALID_VALUE', /overlaps the model output/);
      }
      const prepared = activationCaching({ select: 'linear1' }).prepare(model);
      prepared.restore();
      expect(() => prepared.run(data)).toThrowTdhookError('E_CONTEXT');
      expect(() => activationCaching({ select: 'nothing' }).prepare(model)).toThrowTdhookError(
        'E_UNKNOWN_PATH',
      );
    });
  });

  it('scenario 116: a caller-owned cache keeps its values past restore and clears on the next prepare; published copies survive the clear', () => {
    withModel((model, data, x) => {
      using cache = new ActivationCache();
      const method = activationCaching({ select: ['linear1', 'linear3'], cache });
      let published: TensorDict;
      {
        using prepared = method.prepare(model);
        published = prepared.run(data);
      }
      expect(cache.keys()).toEqual([['linear1'], ['linear3']]);
      const expected = manualMlp(model, x);
      expect(cache.get('linear3')).toBeCloseToTensor(expected['linear3'] as tf.Tensor, close);
      {
        using prepared = method.prepare(model); // clearCache: true
        expect(cache.keys()).toEqual([]);
        prepared.restore();
      }
      expect(published.getTensor(['cache', 'linear1'])).toBeCloseToTensor(
        expected['linear1'] as tf.Tensor,
        close,
      );
      published.dispose();
      tf.dispose(Object.values(expected));
    });
  });

  it('scenario 32: a HookSession capture of Target(linear2) and activationCaching("linear2") give the same hook specs', () => {
    withModel((model) => {
      const session = new HookSession(model);
      session.capture({ path: 'linear2' }).dispose();
      session.close();
      const fromSession = session.program.map(({ path, operation, direction }) => ({
        path,
        operation,
        direction,
        prepend: false,
      }));
      const fromMethod = activationCaching({ select: 'linear2' })
        .plan({}, model)
        .hooks.map(({ path, operation, direction, prepend }) => ({
          path,
          operation,
          direction,
          prepend: prepend ?? false,
        }));
      expect(fromMethod).toEqual(fromSession);
      const withTarget = activationCaching({ select: { path: 'linear2', indices: [1] } }).plan({}, model);
      expect(withTarget.hooks[0]?.detail).toEqual({
        target: { featureAxis: -1, indices: [1], kind: 'activation', outputIndex: 0, path: 'linear2' },
      });
    });
  });

  it('scenario 59: two caching steps with different cache keys share one model pass in a Workflow', () => {
    withModel((model, data, x) => {
      let calls = 0;
      const counted = resolveModule(model, 'linear1') as Dense;
      using _ = { [Symbol.dispose]: () => undefined };
      const workflow = new Workflow([
        activationCaching({ select: 'linear1', cacheKey: ['activations', 'first'] }),
        activationCaching({ select: /linear[23]/, cacheKey: ['activations', 'second'] }),
      ]);
      const plan = workflow.plan(model, data);
      expect(plan.modelPasses).toBe(1);
      expect(plan.executions[0]?.coexecuted).toBe(true);
      expect(plan.decisions[0]?.compatible).toBe(true);
      expect(plan.decisions[0]?.reason).toMatch(/compatible/);
      const original = counted.forward.bind(counted);
      counted.forward = (input: tf.Tensor) => {
        calls += 1;
        return original(input);
      };
      const { data: result } = workflow.run(model, data);
      expect(calls).toBe(1);
      const expected = manualMlp(model, x);
      expect(result.getTensor(['activations', 'first', 'linear1'])).toBeCloseToTensor(
        expected['linear1'] as tf.Tensor,
        close,
      );
      expect(result.getTensor(['activations', 'second', 'linear3'])).toBeCloseToTensor(
        expected['linear3'] as tf.Tensor,
        close,
      );
      result.dispose();
      tf.dispose(Object.values(expected));
    });
  });

  it('scenario 60: a Target capture in a workflow publishes ["activations","selected","linear2"] with the selected units', () => {
    withModel((model, data) => {
      const workflow = new Workflow([
        activationCaching({
          select: { path: 'linear2', indices: [4, 7] },
          cacheKey: ['activations', 'selected'],
        }),
      ]);
      const { data: result } = workflow.run(model, data);
      expect(result.getTensor(['activations', 'selected', 'linear2']).shape).toEqual([2, 2]);
      result.dispose();
    });
  });

  it('scenario 63: backward directions declare gradients "required"; a copy declaring "optional" is rejected at plan time', () => {
    withModel((model, data) => {
      const backward = activationCaching({ select: 'linear2', directions: ['backward'] });
      expect(backward.requirements.gradients).toBe('required');
      expect(backward.plan().collects).toBe(false);
      expect(new Workflow([backward]).plan(model, data).modelPasses).toBe(1);
      const careless = defineMethod({
        ...activationCaching.definition,
        id: 'test/careless-caching',
        requirements: () => ({ modelPasses: 1, gradients: 'optional' }),
      });
      const step = careless({ select: 'linear2', directions: ['backward'] }) as Method<unknown, unknown>;
      expect(() => new Workflow([step]).plan(model, data)).toThrowTdhookError(
        'E_PLAN',
        /backward hooks but declares gradients 'optional'/,
      );
    });
  });

  it('caches gradients: backward-pre is d(objective)/d(output), backward d(objective)/d(input), keys [direction, path]', () => {
    withModel((model, data, x) => {
      using prepared = activationCaching({
        select: 'linear2',
        directions: ['forward', 'backward-pre', 'backward'],
      }).prepare(model);
      using result = prepared.run(data);
      const l2 = resolveModule(model, 'linear2') as Dense;
      const l3 = resolveModule(model, 'linear3') as Dense;
      const expected = manualMlp(model, x);
      const [gradOut, gradIn] = tf.tidy((): [tf.Tensor, tf.Tensor] => {
        const tail = (h2: tf.Tensor): tf.Scalar => tf.sum(tf.add(tf.matMul(tf.relu(h2), l3.kernel), l3.bias));
        const dOut = tf.grad(tail)(expected['linear2'] as tf.Tensor);
        return [dOut, tf.matMul(dOut, l2.kernel, false, true)];
      });
      expect(result.getTensor(['cache', 'forward', 'linear2'])).toBeCloseToTensor(
        expected['linear2'] as tf.Tensor,
        close,
      );
      expect(result.getTensor(['cache', 'backward-pre', 'linear2'])).toBeCloseToTensor(gradOut, close);
      expect(result.getTensor(['cache', 'backward', 'linear2'])).toBeCloseToTensor(gradIn, close);
      expect(result.getTensor('output')).toBeCloseToTensor(expected['linear3'] as tf.Tensor, close);
      tf.dispose([gradOut, gradIn, ...Object.values(expected)]);
    });
  });

  it('differentiates the objective it is given, and caches forward-pre inputs', () => {
    withModel((model, data, x) => {
      using prepared = activationCaching({
        select: ['linear3'],
        directions: ['backward-pre', 'forward-pre'],
        objective: ([logits]) => tf.slice(logits as tf.Tensor, [0, 3], [-1, 1]),
      }).prepare(model);
      using result = prepared.run(data);
      const oneHot = tf.tidy(() => tf.oneHot(tf.tensor1d([3, 3], 'int32'), 5));
      expect(result.getTensor(['cache', 'backward-pre', 'linear3'])).toBeCloseToTensor(oneHot, exact);
      const expected = manualMlp(model, x);
      const relu2 = tf.relu(expected['linear2'] as tf.Tensor);
      expect(result.getTensor(['cache', 'forward-pre', 'linear3'])).toBeCloseToTensor(relu2, close);
      tf.dispose([oneHot, relu2, ...Object.values(expected)]);
    });
  });

  it('nestedKeys, a callback, batch dims restored, and describe()', () => {
    const model = mlp();
    const x = tf.tidy(() => tf.reshape(inputs(6), [2, 3, 10]));
    {
      using data = new TensorDict({ input: x.clone() }, { batchShape: [2, 3] });
      const method = activationCaching({
        select: 'linear1',
        nestedKeys: true,
        callback: (value) => tf.relu(value as tf.Tensor),
      });
      using prepared = method.prepare(model);
      using result = prepared.run(data);
      const value = result.getTensor(['cache', 'forward', 'linear1']);
      expect(value.shape).toEqual([2, 3, 20]);
      const smallest = tf.min(value);
      expect(smallest.dataSync()[0]).toBeGreaterThanOrEqual(0);
      smallest.dispose();
      const callback = method.options.callback;
      expect(method.describe({ callbackIds: new Map([[callback, 'relu']]) })).toMatchObject({
        id: 'probing/activation-caching',
        options: {
          cacheKey: ['cache'],
          directions: ['forward'],
          nestedKeys: true,
          callback: { callback: 'relu' },
        },
        collects: true,
      });
      expect(activationCaching({ select: /^linear/ }).describe()).toMatchObject({
        hooks: [{ path: '*', direction: 'forward', operation: 'capture' }],
      });
    }
    x.dispose();
    model.dispose();
  });

  it('rejects bad options with typed errors that change nothing', () => {
    for (const [options, pattern] of [
      [{ select: [] }, /empty list/],
      [{ select: ['linear1', 'linear1'] }, /selected twice/],
      [{ select: '' }, /model itself/],
      [{ select: 'linear1', directions: [] }, /non-empty/],
      [{ select: 'linear1', directions: ['fwd'] }, /Unknown direction "fwd"/],
      [{ select: 'linear1', directions: ['forward', 'forward'] }, /twice/],
      [{ select: 'linear1', objective: () => tf.scalar(0) }, /no gradient direction/],
      [{ select: 'linear1', cache: new TensorDict() }, /must be an ActivationCache/],
      [{ select: 'linear1', cacheKey: '' }, /./],
    ] as const) {
      expect(() => activationCaching(options as never)).toThrowTdhookError(
        options.select === 'linear1' && 'cacheKey' in options ? 'E_INVALID_KEY' : 'E_INVALID_VALUE',
        pattern,
      );
      const cache = (options as unknown as { cache?: TensorDict }).cache;
      cache?.dispose();
    }
  });

  it('a hook that cannot cache (several outputs, no callback) restores the model and leaks nothing', () => {
    withModel((model, data) => {
      using prepared = activationCaching({
        select: 'linear1',
        directions: ['forward-pre'],
        callback: () => 'nope' as never,
      }).prepare(model);
      expect(() => prepared.run(data)).toThrow(/not a tensor/);
    });
  });
  it('frees captures that no run published: a direct model call before the first run, then restore', () => {
    withModel((model, data, x) => {
      const before = tf.memory().numTensors;
      {
        using _prepared = activationCaching({ select: /linear[12]/ }).prepare(model);
        // Called directly, not through run: each hook keeps its capture for a pass a workflow may share.
        tf.tidy(() => {
          model.call(x);
        });
        expect(tf.memory().numTensors).toBe(before + 2);
      }
      expect(tf.memory().numTensors).toBe(before);
      expect(hookCounts(resolveModule(model, 'linear1')).forward).toBe(0);
      // Data untouched (the shared-pass data is what a workflow would collect from).
      expect(data.getTensor('input').isDisposed).toBe(false);
    });
  });

  it('frees the captures of a later method when an earlier one fails to collect a shared pass', () => {
    withModel((model, data) => {
      const before = tf.memory().numTensors;
      const workflow = new Workflow([
        // Caches a [features, rows] tensor: its collect refuses it (not batch-major).
        activationCaching({
          select: 'linear1',
          cacheKey: 'first',
          callback: (value) => tf.transpose(value as tf.Tensor),
        }),
        activationCaching({ select: /linear[23]/, cacheKey: 'second' }),
      ]);
      expect(workflow.plan(model, data).executions[0]?.coexecuted).toBe(true);
      expect(() => workflow.run(model, data)).toThrowTdhookError(
        'E_SHAPE_MISMATCH',
        /first axis is not the 2 batch rows/,
      );
      expect(tf.memory().numTensors).toBe(before);
      for (const path of ['linear1', 'linear2', 'linear3']) {
        expect(hookCounts(resolveModule(model, path)).forward).toBe(0);
      }
    });
  });
});
