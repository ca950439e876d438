// adapters (SPEC §2.7 Adapters, scenario 144) on a tiny linear1 → relu → linear2 model whose numbers are worked
// out by hand in adapters-models.ts.
import * as tf from '@tensorflow/tfjs-core';
import { listParameters, namedModules, resolveModule, TensorDict } from '@tdhook/core';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { adapters, type Adapter } from '../src/index.js';
import { expectOriginalOutput, installedHooks, Scale, tinyInput, tinyModel } from './adapters-models.js';
import { snapshot } from './parameter-snapshot.js';

const exact = { rtol: 0, atol: 0 };
const doubling: Adapter = (value) => tf.mul(value, 2);

function tinyData(): TensorDict {
  return new TensorDict({ input: tf.tensor2d(tinyInput) }, { batchShape: [2] });
}

describe('adapters (SPEC §2.7, scenario 144)', () => {
  it('scenario 144: a doubling adapter in place on linear2 doubles the output: [[6,4],[2,1]] → [[12,8],[4,2]]; program [replace linear2]; restored', () => {
    const model = tinyModel();
    const before = snapshot(model);
    const modulesBefore = namedModules(model).map(([path]) => path);
    using data = tinyData();
    const method = adapters({ adapters: { double: { adapter: doubling, from: 'linear2' } } });
    expect(method.options.adapters['double']?.to).toBe('linear2');
    expect(method.requirements).toEqual({ modelPasses: 1, gradients: 'optional' });
    {
      using prepared = method.prepare(model);
      expect(prepared.program).toEqual([
        { path: 'linear2', direction: 'forward', operation: 'replace', detail: { adapter: 'double' } },
      ]);
      expect(installedHooks(model)).toBe(1);
      using result = prepared.run(data);
      expect(result.getTensor('output')).toBeCloseToTensor(
        [
          [12, 8],
          [4, 2],
        ],
        exact,
      );
      expect(result.keys()).toEqual([['input'], ['output']]);
      // Direct calls while prepared go through the adapter too.
      const direct = tf.tidy(() => model.call(data.getTensor('input')));
      expect(direct).toBeCloseToTensor(
        [
          [12, 8],
          [4, 2],
        ],
        exact,
      );
      direct.dispose();
    }
    expect(installedHooks(model)).toBe(0);
    expectOriginalOutput(model);
    expect(snapshot(model)).toEqual(before);
    expect(namedModules(model).map(([path]) => path)).toEqual(modulesBefore);
    model.dispose();
  });

  it('scenario 144: across layers linear1 → linear2, linear2 outputs 2 · linear1 = [[2,8],[−2,2]]; program [capture linear1, replace linear2]; restored', () => {
    const model = tinyModel();
    const before = snapshot(model);
    using data = tinyData();
    const seen: { value: number[]; output: number[]; name: string }[] = [];
    const recording: Adapter = (value, { name, output }) => {
      seen.push({ value: Array.from(value.dataSync()), output: Array.from(output.dataSync()), name });
      return tf.mul(value, 2);
    };
    const method = adapters({
      adapters: { transcoder: { adapter: recording, from: 'linear1', to: 'linear2' } },
    });
    {
      using prepared = method.prepare(model);
      expect(prepared.program).toEqual([
        { path: 'linear1', direction: 'forward', operation: 'capture', detail: { adapter: 'transcoder' } },
        { path: 'linear2', direction: 'forward', operation: 'replace', detail: { adapter: 'transcoder' } },
      ]);
      expect(installedHooks(model)).toBe(2);
      using result = prepared.run(data);
      expect(result.getTensor('output')).toBeCloseToTensor(
        [
          [2, 8],
          [-2, 2],
        ],
        exact,
      );
      // The adapter read linear1's output and saw the linear2 output it replaced.
      expect(seen).toEqual([{ value: [1, 4, -1, 1], output: [6, 4, 2, 1], name: 'transcoder' }]);
      // A second run captures afresh.
      using again = prepared.run(data);
      expect(again.getTensor('output')).toBeCloseToTensor(
        [
          [2, 8],
          [-2, 2],
        ],
        exact,
      );
    }
    expect(installedHooks(model)).toBe(0);
    expect(snapshot(model)).toEqual(before);
    model.dispose();
  });

  it('an identity adapter across layers and two adapters in one method (record order) compose', () => {
    const model = tinyModel();
    using data = tinyData();
    {
      using prepared = adapters({
        adapters: { copy: { adapter: (value) => value, from: 'linear1', to: 'linear2' } },
      }).prepare(model);
      using result = prepared.run(data);
      expect(result.getTensor('output')).toBeCloseToTensor(
        [
          [1, 4],
          [-1, 1],
        ],
        exact,
      );
    }
    {
      // linear1 doubled in place: [[2,8],[−2,2]] → relu [[2,8],[0,2]] → linear2 [[11,8],[3,2]], then tripled.
      using prepared = adapters({
        adapters: {
          first: { adapter: doubling, from: 'linear1' },
          second: { adapter: (value) => tf.mul(value, 3), from: 'linear2' },
        },
      }).prepare(model);
      expect(prepared.program.map(({ path, operation }) => `${operation} ${path}`)).toEqual([
        'replace linear1',
        'replace linear2',
      ]);
      using result = prepared.run(data);
      expect(result.getTensor('output')).toBeCloseToTensor(
        [
          [33, 24],
          [9, 6],
        ],
        exact,
      );
    }
    expect(installedHooks(model)).toBe(0);
    model.dispose();
  });

  it('a tdhook Module adapter: its call is used, and it never becomes part of the model (modules and parameters unchanged)', () => {
    const model = tinyModel();
    const before = snapshot(model);
    const modulesBefore = namedModules(model).map(([path]) => path);
    const adapter = new Scale(2);
    using data = tinyData();
    {
      using prepared = adapters({ adapters: { scale: { adapter, from: 'linear1', to: 'linear2' } } }).prepare(
        model,
      );
      expect(namedModules(model).map(([path]) => path)).toEqual(modulesBefore);
      expect(Object.keys(snapshot(model))).toEqual(Object.keys(before));
      expect(listParameters(model).map(({ key }) => key)).toEqual(Object.keys(before));
      using result = prepared.run(data);
      expect(result.getTensor('output')).toBeCloseToTensor(
        [
          [2, 8],
          [-2, 2],
        ],
        exact,
      );
    }
    expect(namedModules(model).map(([path]) => path)).toEqual(modulesBefore);
    expect(snapshot(model)).toEqual(before);
    expect(Object.keys(snapshot(model))).toEqual([
      'linear1.kernel',
      'linear1.bias',
      'linear2.kernel',
      'linear2.bias',
    ]);
    expect(Array.from(adapter.scale.dataSync())).toEqual([2]);
    adapter.dispose();
    model.dispose();
  });

  it('scenario 144: a missing target (or source) path is an UnknownPathError at prepare, and no hook stays installed', () => {
    const model = tinyModel();
    const linear1 = resolveModule(model, 'linear1');
    expect(installedHooks(model)).toBe(0);
    expect(() =>
      adapters({ adapters: { tc: { adapter: doubling, from: 'linear1', to: 'linear9' } } }).prepare(model),
    ).toThrowTdhookError('E_UNKNOWN_PATH', /linear9/);
    expect(installedHooks(model)).toBe(0);
    expect(installedHooks(linear1)).toBe(0);
    expect(() =>
      adapters({ adapters: { tc: { adapter: doubling, from: 'nowhere', to: 'linear2' } } }).prepare(model),
    ).toThrowTdhookError('E_UNKNOWN_PATH', /nowhere/);
    // The second adapter's path is missing: the first adapter's hooks are not installed either.
    expect(() =>
      adapters({
        adapters: {
          fine: { adapter: doubling, from: 'linear1', to: 'linear2' },
          broken: { adapter: doubling, from: 'linear1', to: 'linear7' },
        },
      }).prepare(model),
    ).toThrowTdhookError('E_UNKNOWN_PATH', /linear7/);
    expect(installedHooks(model)).toBe(0);
    // The model is as before and can be prepared again.
    using data = tinyData();
    {
      using prepared = adapters({ adapters: { double: { adapter: doubling, from: 'linear2' } } }).prepare(
        model,
      );
      using result = prepared.run(data);
      expect(result.getTensor('output')).toBeCloseToTensor(
        [
          [12, 8],
          [4, 2],
        ],
        exact,
      );
    }
    model.dispose();
  });

  it('an adapter result of the wrong shape, dtype or kind is a typed error on the first run; the model is restored', () => {
    const model = tinyModel();
    const before = snapshot(model);
    using data = tinyData();
    const cases: [Adapter, string, RegExp][] = [
      [
        (value) => tf.concat([value, value], 1),
        'E_SHAPE_MISMATCH',
        /Adapter 'bad' returned shape \[2, 4\], but the output of 'linear2' it replaces has shape \[2, 2\]/,
      ],
      [
        (value) => tf.cast(value, 'int32'),
        'E_INVALID_VALUE',
        /returned a int32 tensor, but the output of 'linear2' it replaces is float32/,
      ],
      [() => 'nope' as never, 'E_INVALID_VALUE', /Adapter 'bad' returned .* for 'linear2', not a tensor/],
      [
        () => {
          throw new Error('adapter failed');
        },
        'E_HOOK',
        /adapter failed/,
      ],
    ];
    for (const [adapter, code, message] of cases) {
      for (const from of ['linear2', 'linear1']) {
        const prepared = adapters({ adapters: { bad: { adapter, from, to: 'linear2' } } }).prepare(model);
        expect(() => prepared.run(data)).toThrowTdhookError(code, message);
        expect(prepared.active).toBe(false);
        expect(installedHooks(model)).toBe(0);
      }
    }
    expectOriginalOutput(model);
    expect(snapshot(model)).toEqual(before);
    model.dispose();
  });

  it('a source that runs after its target is a typed error at run; the model is restored', () => {
    const model = tinyModel();
    using data = tinyData();
    const prepared = adapters({
      adapters: { back: { adapter: doubling, from: 'linear2', to: 'linear1' } },
    }).prepare(model);
    expect(() => prepared.run(data)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Adapter 'back' replaces the output of 'linear1', but 'linear2' did not run before it/,
    );
    expect(prepared.active).toBe(false);
    expect(installedHooks(model)).toBe(0);
    model.dispose();
  });

  it('bad options are typed errors at the call, naming the entry', () => {
    const cases: [unknown, RegExp][] = [
      [{ adapters: {} }, /adapters must be a non-empty record/],
      [
        { adapters: { sae: [doubling, 'linear1', 'linear2'] } },
        /adapters.sae is a tuple .*Write it as an object: \{ adapter, from: in_key, to: out_key \}/,
      ],
      [
        { adapters: { sae: { adapter: 3, from: 'linear1' } } },
        /adapters.sae.adapter must be a function .* got number/,
      ],
      [{ adapters: { sae: { adapter: {}, from: 'linear1' } } }, /adapters.sae.adapter must be a function/],
      [
        { adapters: { sae: { adapter: doubling } } },
        /adapters.sae.from must be a module path, got undefined/,
      ],
      [{ adapters: { sae: { adapter: doubling, from: '' } } }, /adapters.sae.from is '', the model itself/],
      [
        { adapters: { sae: { adapter: doubling, from: 'linear1', to: 4 } } },
        /adapters.sae.to must be a module path/,
      ],
      [
        { adapters: { sae: { adapter: doubling, from: 'linear1', into: 'x' } } },
        /adapters.sae has unknown field 'into'/,
      ],
      [
        { adapters: { sae: { adapter: doubling, from: 'linear1' } }, cache_callback: () => undefined },
        /has no option "cache_callback".*inside the adapter/,
      ],
      [
        { adapters: { sae: { adapter: doubling, from: 'linear1' } }, directions: ['fwd'] },
        /has no option "directions".*forward outputs only/,
      ],
    ];
    for (const [options, message] of cases) {
      expect(() => adapters(options as never)).toThrowTdhookError('E_INVALID_VALUE', message);
    }
  });

  it('plan() without a model lists the program; describe() names the adapters', () => {
    const method = adapters({
      adapters: {
        tc: { adapter: doubling, from: 'linear1', to: 'linear2' },
        sae: { adapter: doubling, from: 'linear1' },
      },
    });
    expect(method.plan().hooks).toEqual([
      { path: 'linear1', direction: 'forward', operation: 'capture', detail: { adapter: 'tc' } },
      { path: 'linear2', direction: 'forward', operation: 'replace', detail: { adapter: 'tc' } },
      { path: 'linear1', direction: 'forward', operation: 'replace', detail: { adapter: 'sae' } },
    ]);
    expect(method.plan().outKeys).toEqual([]);
  });
});
