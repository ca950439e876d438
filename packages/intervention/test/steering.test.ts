// steeringVectors, activationAddition and addVector (SPEC §2.3, scenarios 120–123) on the original's test
// models: the MLP `M` and the identity Linear(3, 3).
import * as tf from '@tensorflow/tfjs-core';
import { resolveModule, TensorDict } from '@tdhook/core';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { activationAddition, addVector, steeringVectors, type SteerFunction } from '../src/index.js';
import { identityModel, inputs, installedHooks, type Linear, manualMlp, mlp } from './method-models.js';

const close = { rtol: 1e-5, atol: 1e-6 };
const exact = { rtol: 0, atol: 0 };

describe('steeringVectors (SPEC §2.3)', () => {
  for (const modules of [['linear1'], ['linear1', 'linear2']]) {
    it(`scenario 120: over ${JSON.stringify(modules)} steer is called in module order; program = one forward replace per module; the outputs are steered`, () => {
      const model = mlp();
      const x = inputs(2);
      using data = new TensorDict({ input: x.clone() }, { batchShape: [2] });
      const calls: string[] = [];
      const steer: SteerFunction = ({ moduleKey, output }) => {
        calls.push(moduleKey);
        return tf.mul(output, 2);
      };
      const method = steeringVectors({ modules, steer });
      expect(method.plan().hooks).toEqual(
        modules.map((path) => ({ path, direction: 'forward', operation: 'replace' })),
      );
      expect(method.requirements).toEqual({ modelPasses: 1, gradients: 'optional' });
      {
        using prepared = method.prepare(model);
        expect(prepared.program).toEqual(method.plan().hooks);
        using result = prepared.run(data);
        expect(calls).toEqual(modules);
        const expected = tf.tidy(() => {
          // linear1 doubled; linear2 doubled too when steered.
          const h1 = tf.mul(manualMlp(model, x).linear1, 2);
          const layer = (name: string): Linear => resolveModule(model, name) as Linear;
          const apply = (name: string, h: tf.Tensor): tf.Tensor =>
            tf.add(tf.matMul(h, layer(name).kernel), layer(name).bias);
          const h2 = apply('linear2', tf.relu(h1));
          return apply('linear3', tf.relu(modules.length === 2 ? tf.mul(h2, 2) : h2));
        });
        expect(result.getTensor('output')).toBeCloseToTensor(expected, close);
        expect(result.keys()).toEqual([['input'], ['output']]);
        expected.dispose();
      }
      expect(installedHooks(model)).toBe(0);
      x.dispose();
      model.dispose();
    });
  }

  it('scenario 121 ★: identity model, Target unit 1, steer = zeros: [1,2,3] → [1,0,3]', () => {
    const model = identityModel();
    using data = new TensorDict({ input: tf.tensor2d([[1, 2, 3]]) }, { batchShape: [1] });
    const seen: number[][] = [];
    const zeros: SteerFunction = ({ output }) => {
      seen.push(output.shape);
      return tf.zerosLike(output);
    };
    {
      using prepared = steeringVectors({ modules: [{ path: 'linear', indices: [1] }], steer: zeros }).prepare(
        model,
      );
      using result = prepared.run(data);
      expect(result.getTensor('output')).toBeCloseToTensor([[1, 0, 3]], exact);
    }
    expect(seen).toEqual([[1, 1]]); // the steer sees the Target's units only
    expect(installedHooks(model)).toBe(0);
    model.dispose();
  });

  it('an exception inside steer restores the model; a steer that returns a non-tensor or a misfit is a typed error', () => {
    const model = mlp();
    using data = new TensorDict({ input: inputs(2) }, { batchShape: [2] });
    const cases: [SteerFunction, string, RegExp][] = [
      [
        () => {
          throw new Error('steer failed');
        },
        'E_HOOK',
        /forward hook threw: steer failed/,
      ],
      [() => 'nope' as never, 'E_INVALID_VALUE', /steer returned .* for 'linear2', not a tensor/],
      [() => tf.ones([3]), 'E_SHAPE_MISMATCH', /float32\[3\] does not fit the selection float32\[2,20\]/],
    ];
    for (const [steer, code, message] of cases) {
      const prepared = steeringVectors({ modules: ['linear2'], steer }).prepare(model);
      expect(() => prepared.run(data)).toThrowTdhookError(code, message);
      expect(prepared.active).toBe(false);
      expect(installedHooks(model)).toBe(0);
    }
    expect(() => steeringVectors({ modules: ['linear2'] } as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /steer must be a function, got undefined/,
    );
    expect(() =>
      steeringVectors({ modules: ['linear2'], steer_fn: () => undefined } as never),
    ).toThrowTdhookError('E_INVALID_VALUE', /no option "steer_fn".*Use steer/);
    expect(() =>
      steeringVectors({ modules: [7 as never], steer: ({ output }) => output }),
    ).toThrowTdhookError('E_INVALID_VALUE', /must be a module path or a Target, got number/);
    expect(() =>
      steeringVectors({ modules: ['nowhere'], steer: ({ output }) => output }).prepare(model),
    ).toThrowTdhookError('E_UNKNOWN_PATH');
    model.dispose();
  });

  it('describe() lists one replace per module, with the Target', () => {
    const steer: SteerFunction = ({ output }) => output;
    const described = steeringVectors({
      modules: ['linear1', { path: 'linear2', indices: [0, 3] }],
      steer,
    }).describe({
      callbackIds: new Map([[steer, 'identity']]),
    });
    expect(described).toMatchObject({
      id: 'intervention/steering-vectors',
      options: {
        modules: ['linear1', { path: 'linear2', indices: [0, 3] }],
        steer: { callback: 'identity' },
      },
      requirements: { modelPasses: 1, gradients: 'optional' },
      hooks: [
        { path: 'linear1', direction: 'forward', operation: 'replace' },
        {
          path: 'linear2',
          direction: 'forward',
          operation: 'replace',
          detail: { target: { indices: [0, 3] } },
        },
      ],
      outKeys: [],
    });
  });
});

describe('activationAddition (SPEC §2.3)', () => {
  for (const modules of [['linear1'], ['linear1', 'linear2']]) {
    it(`scenario 122: over ${JSON.stringify(modules)} gives ["steer", m] of shape [20] = mean over the batch of act(pos) − act(neg); program = one forward capture per module; 2 passes; an unbatched result holding only the steer keys`, () => {
      const model = mlp();
      const positive = inputs(3);
      const negative = inputs(3, 10, 9);
      using data = new TensorDict(
        { positive: { input: positive.clone() }, negative: { input: negative.clone() }, other: tf.ones([3]) },
        { batchShape: [3] },
      );
      const method = activationAddition({ modules });
      expect(method.requirements).toEqual({ modelPasses: 2, gradients: 'optional' });
      expect(method.plan()).toEqual({
        hooks: modules.map((path) => ({ path, direction: 'forward', operation: 'capture' })),
        inKeys: [
          ['positive', 'input'],
          ['negative', 'input'],
        ],
        outKeys: modules.map((path) => ['steer', path]),
        collects: false,
      });
      {
        using prepared = method.prepare(model);
        using result = prepared.run(data);
        expect(result.batchShape).toEqual([]);
        expect(result.keys()).toEqual(modules.map((path) => ['steer', path]));
        const plus = manualMlp(model, positive);
        const minus = manualMlp(model, negative);
        for (const path of modules as ('linear1' | 'linear2')[]) {
          const expected = tf.tidy(() => tf.mean(tf.sub(plus[path], minus[path]), 0));
          expect(result.getTensor(['steer', path]).shape).toEqual([20]);
          expect(result.getTensor(['steer', path])).toBeCloseToTensor(expected, close);
          expected.dispose();
        }
        tf.dispose([...Object.values(plus), ...Object.values(minus)]);
      }
      expect(installedHooks(model)).toBe(0);
      tf.dispose([positive, negative]);
      model.dispose();
    });
  }

  it('scenario 123 ★: identity model, Target unit 2: positive [1,2,5], negative [1,2,1] give ["steer","linear"] = [4], which is in the plan’s outKeys', () => {
    const model = identityModel();
    using data = new TensorDict(
      { positive: { input: tf.tensor2d([[1, 2, 5]]) }, negative: { input: tf.tensor2d([[1, 2, 1]]) } },
      { batchShape: [1] },
    );
    const method = activationAddition({ modules: [{ path: 'linear', indices: [2] }] });
    expect(method.plan({}, model).outKeys).toContainEqual(['steer', 'linear']);
    {
      using prepared = method.prepare(model);
      using result = prepared.run(data);
      expect(result.getTensor(['steer', 'linear'])).toBeCloseToTensor([4], exact);
    }
    expect(installedHooks(model)).toBe(0);
    model.dispose();
  });

  it('averages over every batch dim ([2, 3]); keys are configurable; typed errors before any model call', () => {
    const model = identityModel();
    const positive = tf.tidy(() => tf.reshape(tf.range(0, 18), [2, 3, 3]));
    using data = new TensorDict(
      { runs: { plus: { input: positive }, minus: { input: tf.zeros([2, 3, 3]) } } },
      { batchShape: [2, 3] },
    );
    {
      using prepared = activationAddition({
        modules: ['linear'],
        positiveKey: ['runs', 'plus'],
        negativeKey: ['runs', 'minus'],
        steerKey: ['vectors', 'steer'],
      }).prepare(model);
      using result = prepared.run(data);
      // mean over the 6 rows of [0..17] reshaped [6, 3]: [7.5, 8.5, 9.5]
      expect(result.getTensor(['vectors', 'steer', 'linear'])).toBeCloseToTensor([7.5, 8.5, 9.5], close);
    }
    const errors: [TensorDict, string, RegExp][] = [
      [
        new TensorDict({ positive: { input: tf.ones([2, 3]) } }, { batchShape: [2] }),
        'E_MISSING_KEY',
        /no sub-dict "negative"/,
      ],
      [
        new TensorDict(
          { positive: { input: tf.ones([2, 3]) }, negative: { input: tf.ones([1, 3]) } },
          { batchShape: [] },
        ),
        'E_SHAPE_MISMATCH',
        /positive input "input" has shape \[2,3\], the negative one \[1,3\]/,
      ],
    ];
    for (const [bad, code, message] of errors) {
      const prepared = activationAddition({ modules: ['linear'] }).prepare(model);
      expect(() => prepared.run(bad)).toThrowTdhookError(code, message);
      expect(installedHooks(model)).toBe(0);
      bad.dispose();
    }
    expect(() =>
      activationAddition({ modules: ['linear'], positiveKey: 'x', negativeKey: 'x' }),
    ).toThrowTdhookError('E_INVALID_VALUE', /both "x"/);
    expect(() =>
      activationAddition({ modules: ['linear'], positiveKey: 'input' }).prepare(model),
    ).toThrowTdhookError('E_INVALID_VALUE', /positiveKey "input" overlaps the model input/);
    expect(() => activationAddition({ modules: [{ path: 'linear', kind: 'gradient' }] })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Only activation Targets/,
    );
    model.dispose();
  });
});

describe('addVector', () => {
  it('adds coefficient · vector, broadcast over the leading axes, and names both shapes when it does not broadcast', () => {
    const vector = tf.tensor1d([1, -1, 2]);
    const output = tf.tensor2d([
      [0, 0, 0],
      [1, 1, 1],
    ]);
    const steer = addVector(vector, { coefficient: 3 });
    const steered = steer({ moduleKey: 'linear', output });
    expect(steered).toBeCloseToTensor(
      [
        [3, -3, 6],
        [4, -2, 7],
      ],
      exact,
    );
    const plain = addVector(vector)({ moduleKey: 'linear', output });
    expect(plain).toBeCloseToTensor(
      [
        [1, -1, 2],
        [2, 0, 3],
      ],
      exact,
    );
    const wide = tf.ones([2, 3]);
    const step = tf.zeros([1, 1, 3]);
    const other = tf.zeros([2, 4]);
    expect(() => addVector(wide)({ moduleKey: 'blocks.0.hook_resid_post', output: step })).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /steering vector float32\[2,3\] does not broadcast to the output float32\[1,1,3\] of 'blocks.0.hook_resid_post'.*tf.sum\(steer, 0\)/,
    );
    expect(() => addVector(vector)({ moduleKey: 'linear', output: other })).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /float32\[3\] does not broadcast to the output float32\[2,4\]/,
    );
    expect(() => addVector(vector, { coefficient: Number.NaN })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /finite number/,
    );
    expect(() => addVector([1, 2] as never)).toThrowTdhookError('E_INVALID_VALUE', /live tensor/);
    tf.dispose([vector, steered, plain, wide, step, other]);
    expect(() => steer({ moduleKey: 'linear', output })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /was disposed/,
    );
    output.dispose();
  });

  it('steers a model through steeringVectors: identity + 2 · [1, 0, −1]', () => {
    const model = identityModel();
    const vector = tf.tensor1d([1, 0, -1]);
    using data = new TensorDict(
      {
        input: tf.tensor2d([
          [1, 2, 3],
          [0, 0, 0],
        ]),
      },
      { batchShape: [2] },
    );
    {
      using prepared = steeringVectors({
        modules: ['linear'],
        steer: addVector(vector, { coefficient: 2 }),
      }).prepare(model);
      using result = prepared.run(data);
      expect(result.getTensor('output')).toBeCloseToTensor(
        [
          [3, 2, 1],
          [2, 0, -2],
        ],
        exact,
      );
    }
    vector.dispose();
    model.dispose();
  });
});
