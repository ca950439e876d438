// activationPatching (SPEC §2.3, scenarios 117–119) on the original's test models: the MLP `M` and the
// identity Linear(3, 3).
import * as tf from '@tensorflow/tfjs-core';
import { registerHook, TensorDict, Workflow } from '@tdhook/core';
import { replaceUnits, selectUnits } from '@tdhook/core/plugin';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { activationPatching, steeringVectors, type PatchFunction } from '../src/index.js';
import { identityModel, inputs, installedHooks, manualMlp, mlp } from './method-models.js';

const close = { rtol: 1e-5, atol: 1e-6 };
const unit0 = { featureAxis: -1, indices: [0] };

/** Counts calls of the whole model while `fn` runs. */
function countingCalls<T>(
  model: Parameters<typeof registerHook>[0],
  fn: () => T,
): { value: T; calls: number } {
  let calls = 0;
  using _count = registerHook(model, '', 'forward', () => {
    calls += 1;
  });
  return { value: fn(), calls };
}

describe('activationPatching (SPEC §2.3)', () => {
  for (const modules of [['linear2'], ['linear2', 'linear3']]) {
    it(`scenario 117: patching ${JSON.stringify(modules)} with a patchFn copying unit 0 changes the patched run exactly there; patchFn called once per module in order; program [capture, replace prepend] per module; no hooks remain`, () => {
      const model = mlp();
      const clean = inputs(2);
      const corrupted = inputs(2, 10, 8);
      using data = new TensorDict(
        { input: clean.clone(), patched: { input: corrupted.clone() } },
        { batchShape: [2] },
      );
      const calls: string[] = [];
      const patchFn: PatchFunction = ({ moduleKey, output, outputToPatch }) => {
        calls.push(moduleKey);
        return tf.tidy(() => replaceUnits(output, unit0, selectUnits(outputToPatch, unit0)));
      };
      {
        using prepared = activationPatching({ modules, patchFn }).prepare(model);
        expect(prepared.program).toEqual(
          modules.flatMap((path) => [
            { path, direction: 'forward', operation: 'capture' },
            { path, direction: 'forward', operation: 'replace', prepend: true },
          ]),
        );
        using result = prepared.run(data);
        const cleanRun = manualMlp(model, clean);
        const column0 = (value: tf.Tensor, source: tf.Tensor): tf.Tensor =>
          tf.tidy(() => replaceUnits(value, unit0, selectUnits(source, unit0)));
        const patchedRun = manualMlp(model, corrupted, (h2) => column0(h2, cleanRun.linear2));
        const expected =
          modules.length === 1 ? tf.clone(patchedRun.linear3) : column0(patchedRun.linear3, cleanRun.linear3);
        expect(result.getTensor('output')).toBeCloseToTensor(cleanRun.linear3, close);
        expect(result.getTensor(['patched', 'output']).shape).toEqual([2, 5]);
        expect(result.getTensor(['patched', 'output'])).toBeCloseToTensor(expected, close);
        expect(result.getTensor(['patched', 'output'])).not.toBeCloseToTensor(
          result.getTensor('output'),
          close,
        );
        expect(calls).toEqual(modules);
        tf.dispose([expected, ...Object.values(cleanRun), ...Object.values(patchedRun)]);
      }
      expect(installedHooks(model)).toBe(0);
      tf.dispose([clean, corrupted]);
      model.dispose();
    });
  }

  it('scenario 118 ★: identity Linear(3,3), Target unit 0: output [1,2,3], patched output [1,20,30] (the clean unit 0 in the patched run); 2 passes', () => {
    const model = identityModel();
    using data = new TensorDict(
      { input: tf.tensor2d([[1, 2, 3]]), patched: { input: tf.tensor2d([[10, 20, 30]]) } },
      { batchShape: [1] },
    );
    const method = activationPatching({ modules: [{ path: 'linear', indices: [0] }] });
    expect(method.requirements).toEqual({ modelPasses: 2, gradients: 'optional' });
    {
      using prepared = method.prepare(model);
      const { value: result, calls } = countingCalls(model, () => prepared.run(data));
      expect(calls).toBe(2);
      expect(result.getTensor('output')).toBeCloseToTensor([[1, 2, 3]], { atol: 0, rtol: 0 });
      expect(result.getTensor(['patched', 'output'])).toBeCloseToTensor([[1, 20, 30]], { atol: 0, rtol: 0 });
      expect(
        result
          .keys()
          .map((key) => key.join('/'))
          .sort(),
      ).toEqual(['input', 'output', 'patched/input', 'patched/output']);
      result.dispose();
    }
    expect(installedHooks(model)).toBe(0);
    model.dispose();
  });

  it('scenario 118, without patchFn and without a Target: the patched run gets the whole clean activation, so its output is the clean one', () => {
    const model = mlp();
    using data = new TensorDict(
      { input: inputs(2), patched: { input: inputs(2, 10, 8) } },
      { batchShape: [2] },
    );
    using prepared = activationPatching({ modules: ['linear2'] }).prepare(model);
    using result = prepared.run(data);
    expect(result.getTensor(['patched', 'output'])).toBeCloseToTensor(result.getTensor('output'), close);
    prepared.restore();
    model.dispose();
  });

  it('batch dims [2, 3] are flattened for the model and restored in both runs; patchFn returning undefined patches the clean value', () => {
    const model = identityModel();
    using data = new TensorDict(
      {
        input: tf.tidy(() => tf.reshape(tf.range(0, 18), [2, 3, 3])),
        runs: { corrupted: { input: tf.zeros([2, 3, 3]) } },
      },
      { batchShape: [2, 3] },
    );
    using prepared = activationPatching({
      modules: [{ path: 'linear', indices: [2] }],
      patchFn: () => undefined,
      patchKey: ['runs', 'corrupted'],
    }).prepare(model, { outKeys: ['logits'] });
    using result = prepared.run(data);
    const expected = tf.tidy(() => {
      const units = tf.reshape(tf.range(0, 18), [2, 3, 3]);
      return tf.concat([tf.zeros([2, 3, 2]), tf.slice(units, [0, 0, 2], [2, 3, 1])], 2);
    });
    expect(result.getTensor(['runs', 'corrupted', 'logits'])).toBeCloseToTensor(expected, {
      atol: 0,
      rtol: 0,
    });
    expected.dispose();
    prepared.restore();
    model.dispose();
  });

  it('scenario 119: an entry that is neither a path nor a Target, or a gradient or parameter Target, is an InvalidValueError', () => {
    expect(() => activationPatching({ modules: [42 as never] })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /modules entry must be a module path or a Target, got number/,
    );
    expect(() => activationPatching({ modules: [['linear'] as never] })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /got a nested array/,
    );
    expect(() => activationPatching({ modules: [/linear/ as never] })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /got the RegExp/,
    );
    expect(() => activationPatching({ modules: [{ path: 'linear', kind: 'gradient' }] })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Only activation Targets.*gradient 'linear'/,
    );
    expect(() =>
      activationPatching({ modules: [{ path: 'linear', kind: 'parameter', parameter: 'kernel' }] }),
    ).toThrowTdhookError('E_INVALID_VALUE', /Only activation Targets/);
    expect(() => activationPatching({ modules: [] })).toThrowTdhookError('E_INVALID_VALUE', /non-empty list/);
    expect(() => activationPatching({ modules: ['linear', 'linear'] })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /listed twice/,
    );
    expect(() => activationPatching({ modules: ['linear'], patchFn: 3 as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /patchFn must be a function/,
    );
    expect(() => activationPatching({ modules_to_patch: ['linear'] } as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /no option "modules_to_patch".*Use modules/,
    );
    // A grid's options point to the grid.
    expect(() =>
      activationPatching({ modules: ['linear'], metric: () => tf.zeros([1]) } as never),
    ).toThrowTdhookError('E_INVALID_VALUE', /no option "metric".*activationPatchingGrid/);
  });

  it('bad data or paths are typed errors before any model call, and leave the model as it was', () => {
    const model = identityModel();
    // An unknown path: at prepare.
    expect(() => activationPatching({ modules: ['linear9'] }).prepare(model)).toThrowTdhookError(
      'E_UNKNOWN_PATH',
    );
    // A patchKey that overlaps a model key.
    expect(() =>
      activationPatching({ modules: ['linear'], patchKey: 'output' }).prepare(model),
    ).toThrowTdhookError('E_INVALID_VALUE', /patchKey "output" overlaps the model output "output"/);
    const cases: [TensorDict, string, RegExp][] = [
      [
        new TensorDict({ input: tf.ones([2, 3]) }, { batchShape: [2] }),
        'E_MISSING_KEY',
        /no sub-dict "patched"/,
      ],
      [
        new TensorDict({ input: tf.ones([2, 3]), patched: { other: tf.ones([2, 3]) } }, { batchShape: [2] }),
        'E_MISSING_KEY',
        /needs \["patched","input"\]/,
      ],
      [
        new TensorDict({ patched: { input: tf.ones([2, 3]) } }, { batchShape: [2] }),
        'E_MISSING_KEY',
        /clean run reads the model input "input"/,
      ],
      [
        new TensorDict({ input: tf.ones([2, 3]), patched: { input: tf.ones([2, 4]) } }, { batchShape: [2] }),
        'E_SHAPE_MISMATCH',
        /clean input "input" has shape \[2,3\], the patched one \[2,4\]/,
      ],
      [
        new TensorDict(
          { input: tf.ones([2, 3]), patched: { input: tf.ones([2, 3], 'int32') } },
          { batchShape: [2] },
        ),
        'E_INVALID_VALUE',
        /clean input "input" is float32, the patched one int32/,
      ],
    ];
    for (const [data, code, message] of cases) {
      const prepared = activationPatching({ modules: ['linear'] }).prepare(model);
      const { calls } = countingCalls(model, () => {
        expect(() => prepared.run(data)).toThrowTdhookError(code, message);
      });
      expect(calls).toBe(0);
      expect(prepared.active).toBe(false); // an error in run restores the model
      expect(installedHooks(model)).toBe(0);
      data.dispose();
    }
    model.dispose();
  });

  it('an exception inside patchFn restores the model and leaves no tensor behind', () => {
    const model = mlp();
    using data = new TensorDict(
      { input: inputs(2), patched: { input: inputs(2, 10, 8) } },
      { batchShape: [2] },
    );
    const prepared = activationPatching({
      modules: ['linear1', 'linear2'],
      patchFn: ({ moduleKey }) => {
        if (moduleKey === 'linear2') throw new Error('boom');
        return undefined;
      },
    }).prepare(model);
    expect(() => prepared.run(data)).toThrowTdhookError('E_HOOK', /forward hook threw: boom/);
    expect(prepared.active).toBe(false);
    expect(installedHooks(model)).toBe(0);
    // A patchFn returning something other than a tensor: a typed error naming the module.
    const again = activationPatching({ modules: ['linear2'], patchFn: () => 5 as never }).prepare(model);
    expect(() => again.run(data)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /patchFn returned .* for 'linear2', not a tensor/,
    );
    expect(installedHooks(model)).toBe(0);
    // A patchFn returning a tensor that does not fit.
    const wrong = activationPatching({ modules: ['linear2'], patchFn: () => tf.ones([3]) }).prepare(model);
    expect(() => wrong.run(data)).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /does not fit the selection float32\[2,20\]/,
    );
    expect(installedHooks(model)).toBe(0);
    model.dispose();
  });

  it('describe() and the model-free plan show the program, keys and Targets', () => {
    const patchFn: PatchFunction = () => undefined;
    const method = activationPatching({ modules: ['linear2', { path: 'linear3', indices: [1] }], patchFn });
    expect(method.plan()).toEqual({
      hooks: [
        { path: 'linear2', direction: 'forward', operation: 'capture' },
        { path: 'linear2', direction: 'forward', operation: 'replace', prepend: true },
        {
          path: 'linear3',
          direction: 'forward',
          operation: 'capture',
          detail: {
            target: { featureAxis: -1, indices: [1], kind: 'activation', outputIndex: 0, path: 'linear3' },
          },
        },
        {
          path: 'linear3',
          direction: 'forward',
          operation: 'replace',
          prepend: true,
          detail: {
            target: { featureAxis: -1, indices: [1], kind: 'activation', outputIndex: 0, path: 'linear3' },
          },
        },
      ],
      inKeys: [['input'], ['patched', 'input']],
      outKeys: [['patched', 'output']],
      collects: false,
    });
    const description = method.describe({ callbackIds: new Map([[patchFn, 'keep-clean']]) });
    expect(description).toMatchObject({
      id: 'intervention/activation-patching',
      options: {
        modules: ['linear2', { path: 'linear3', indices: [1] }],
        patchKey: ['patched'],
        patchFn: { callback: 'keep-clean' },
      },
      requirements: { modelPasses: 2, gradients: 'optional' },
    });
    expect(JSON.parse(JSON.stringify(description))).toEqual(description);
  });

  it('composes in a Workflow with steeringVectors: 2 + 1 model passes, each step’s outputs as it gives them alone', () => {
    const model = mlp();
    using data = new TensorDict(
      { input: inputs(2), patched: { input: inputs(2, 10, 8) } },
      { batchShape: [2] },
    );
    const patching = activationPatching({ modules: [{ path: 'linear2', indices: [0, 1] }] });
    const steering = steeringVectors({ modules: ['linear1'], steer: ({ output }) => tf.mul(output, 2) });
    const alone = (() => {
      using prepared = patching.prepare(model);
      using result = prepared.run(data);
      return tf.clone(result.getTensor(['patched', 'output']));
    })();
    const steeredAlone = (() => {
      using prepared = steering.prepare(model);
      using result = prepared.run(data);
      return tf.clone(result.getTensor('output'));
    })();
    const { data: result, plan } = new Workflow([patching, steering]).run(model, data);
    expect(plan.modelPasses).toBe(3);
    expect(result.getTensor(['patched', 'output'])).toBeCloseToTensor(alone, { atol: 0, rtol: 0 });
    expect(result.getTensor('output')).toBeCloseToTensor(steeredAlone, { atol: 0, rtol: 0 });
    expect(installedHooks(model)).toBe(0);
    tf.dispose([alone, steeredAlone]);
    result.dispose();
    model.dispose();
  });
});
