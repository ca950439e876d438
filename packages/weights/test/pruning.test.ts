// pruning (SPEC §2.7 `Pruning`, scenarios 145–147) on the original's Linear(10, 10) and a Linear(10, 10) × 3
// MLP written as a tdhook Module: exact pruned fractions, bit-exact restore, the original's errors.
import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import {
  gradientImportance,
  magnitudeImportance,
  measureSparsity,
  pruning,
  type ImportanceCallback,
} from '../src/index.js';
import { type Linear, seededLinear } from './linear.js';
import { snapshot } from './parameter-snapshot.js';
import { inputs, Mlp, zeroFraction } from './pruning-models.js';

const program = [{ path: '', direction: null, operation: 'prune-parameters' }];

function run(model: Mlp | Linear, x: tf.Tensor): number[] {
  return tf.tidy(() => Array.from(model.call(x).dataSync()));
}

describe('pruning (SPEC §2.7)', () => {
  for (const amount of [0.2, 0.5]) {
    it(`scenario 145: global amount ${amount} zeroes exactly that fraction of weight+bias on Linear(10, 10), the smallest in magnitude; the output changes and is restored bit for bit; program [['', prune-parameters]]; no amount and no modules is an InvalidValueError`, () => {
      expect(() => pruning({})).toThrowTdhookError('E_INVALID_VALUE', /needs an amount .* or modules/);
      const model = seededLinear(10, 10, 3);
      const x = inputs();
      const before = snapshot(model);
      const clean = run(model, x);
      const method = pruning({ amount });
      expect(method.plan().hooks).toEqual(program);
      {
        using prepared = method.prepare(model);
        expect(prepared.program).toEqual(program);
        const pruned = snapshot(model);
        const all = [...(pruned.kernel ?? []), ...(pruned.bias ?? [])];
        expect(all.filter((value) => value === 0)).toHaveLength(Math.round(110 * amount));
        const sparsity = measureSparsity(model);
        expect(sparsity.zeros).toBe(Math.round(110 * amount));
        expect(sparsity.size).toBe(110);
        expect(sparsity.fraction).toBe(amount);
        expect(sparsity.parameters.map((row) => row.key)).toEqual(['kernel', 'bias']);
        // The zeroed entries are the smallest magnitudes of both parameters together.
        const original = [...(before.kernel ?? []), ...(before.bias ?? [])];
        const zeroed = original.filter((_, index) => all[index] === 0).map(Math.abs);
        const kept = original.filter((_, index) => all[index] !== 0).map(Math.abs);
        expect(Math.max(...zeroed)).toBeLessThan(Math.min(...kept));
        // Kept entries are untouched.
        expect(all.filter((value) => value !== 0)).toEqual(original.filter((_, index) => all[index] !== 0));
        using data = new TensorDict({ input: x.clone() }, { batchShape: [4] });
        using result = prepared.run(data);
        expect(Array.from(result.getTensor('output').dataSync())).not.toEqual(clean);
      }
      expect(snapshot(model)).toEqual(before);
      expect(run(model, x)).toEqual(clean);
      x.dispose();
      model.dispose();
    });
  }

  it('scenario 146: a custom skip (linear1) leaves linear1 untouched; relativePath linear1 prunes only linear1; modules {linear1: axis 1 .5, linear3: axis 1 .1} leave nonzero fractions .5 and .9 and linear2 untouched; amount 0 is a no-op; an importance returning null for the kernel prunes only the bias', () => {
    const model = new Mlp();
    const before = snapshot(model);
    const keys = (prefix: string): string[] => Object.keys(before).filter((key) => key.startsWith(prefix));
    const same = (now: Record<string, number[]>, prefix: string): boolean =>
      keys(prefix).every((key) => JSON.stringify(now[key]) === JSON.stringify(before[key]));

    {
      using _prepared = pruning({ amount: 0.5, skip: ['linear1'] }).prepare(model);
      const now = snapshot(model);
      expect(same(now, 'linear1.')).toBe(true);
      const rest = [...keys('linear2.'), ...keys('linear3.')].flatMap((key) => now[key] ?? []);
      expect(zeroFraction(rest)).toBe(0.5);
    }
    expect(snapshot(model)).toEqual(before);

    {
      // The function form sees every module with its path.
      const seen: string[] = [];
      using _prepared = pruning({
        amount: 0.5,
        skip: (path) => {
          seen.push(path);
          return path === 'linear1';
        },
      }).prepare(model);
      expect(seen).toEqual(['', 'linear1', 'linear2', 'linear3']);
      expect(same(snapshot(model), 'linear1.')).toBe(true);
    }

    {
      using prepared = pruning({ amount: 0.5, relativePath: 'linear1' }).prepare(model);
      expect(prepared.program).toEqual([{ path: 'linear1', direction: null, operation: 'prune-parameters' }]);
      const now = snapshot(model);
      expect(zeroFraction(keys('linear1.').flatMap((key) => now[key] ?? []))).toBe(0.5);
      expect(same(now, 'linear2.') && same(now, 'linear3.')).toBe(true);
    }
    expect(snapshot(model)).toEqual(before);

    {
      using _prepared = pruning({
        modules: { linear1: { axis: 1, amount: 0.5 }, linear3: { axis: 1, amount: 0.1 } },
      }).prepare(model);
      const now = snapshot(model);
      const nonzero = (key: string): number => 1 - zeroFraction(now[key] ?? []);
      expect(nonzero('linear1.kernel')).toBe(0.5);
      expect(nonzero('linear3.kernel')).toBe(0.9);
      // Whole units: a pruned column of the kernel and its bias entry go together.
      const kernel = now['linear1.kernel'] ?? [];
      const bias = now['linear1.bias'] ?? [];
      for (let unit = 0; unit < 10; unit += 1) {
        const column = Array.from({ length: 10 }, (_, row) => kernel[row * 10 + unit]);
        const zeroedColumn = column.every((value) => value === 0);
        expect(zeroedColumn || column.every((value) => value !== 0)).toBe(true);
        expect(bias[unit] === 0).toBe(zeroedColumn);
      }
      expect(nonzero('linear1.bias')).toBe(0.5);
      expect(same(now, 'linear2.')).toBe(true);
      // The zeroed units are those whose kernel columns have the smallest L1 norm.
      const original = before['linear1.kernel'] ?? [];
      const norms = Array.from({ length: 10 }, (_, unit) =>
        Array.from({ length: 10 }, (_, row) => Math.abs(original[row * 10 + unit] ?? 0)).reduce(
          (a, b) => a + b,
        ),
      );
      const zeroedUnits = norms.map((_, unit) => unit).filter((unit) => bias[unit] === 0);
      const smallest = [...norms.keys()].sort((a, b) => (norms[a] ?? 0) - (norms[b] ?? 0)).slice(0, 5);
      expect(zeroedUnits).toEqual(smallest.sort((a, b) => a - b));
    }
    expect(snapshot(model)).toEqual(before);

    {
      using _prepared = pruning({ amount: 0 }).prepare(model);
      expect(snapshot(model)).toEqual(before);
    }

    {
      const biasOnly: ImportanceCallback = (args) =>
        args.name === 'kernel' ? null : magnitudeImportance(args);
      using _prepared = pruning({ amount: 0.5, importance: biasOnly }).prepare(model);
      const now = snapshot(model);
      for (const key of keys('')) {
        if (key.endsWith('.kernel')) expect(now[key]).toEqual(before[key]);
      }
      const biases = keys('')
        .filter((key) => key.endsWith('.bias'))
        .flatMap((key) => now[key] ?? []);
      expect(zeroFraction(biases)).toBe(0.5);
    }
    expect(snapshot(model)).toEqual(before);
    model.dispose();
  });

  it('scenario 147: a failure partway through (an importance that throws on the 2nd parameter) restores every value bit for bit and leaves no claim; a model a live pruning holds is refused, unchanged', () => {
    const model = new Mlp();
    const before = snapshot(model);
    const failing = (): ImportanceCallback => {
      let calls = 0;
      return (args) => {
        calls += 1;
        if (calls === 2) throw new Error('importance failed');
        return magnitudeImportance(args);
      };
    };
    // Structured: linear1 is pruned and written before linear3 is scored (checked when that call fails).
    let atFailure: Record<string, number[]> = {};
    expect(() =>
      pruning({
        modules: { linear1: { axis: 1, amount: 0.5 }, linear3: { axis: 1, amount: 0.5 } },
        importance: (args) => {
          if (args.path === 'linear3') {
            atFailure = snapshot(model);
            throw new Error('importance failed');
          }
          return magnitudeImportance(args);
        },
      }).prepare(model),
    ).toThrow('importance failed');
    expect(zeroFraction(atFailure['linear1.kernel'] ?? [])).toBe(0.5);
    expect(snapshot(model)).toEqual(before);
    // Global: every score is computed before the first write.
    expect(() => pruning({ amount: 0.5, importance: failing() }).prepare(model)).toThrow('importance failed');
    expect(snapshot(model)).toEqual(before);

    // The claim was released: pruning again works; a second pruning on a held model is refused.
    const first = pruning({ amount: 0.2 }).prepare(model);
    const pruned = snapshot(model);
    expect(() => pruning({ amount: 0.5 }).prepare(model)).toThrowTdhookError(
      'E_CONTEXT',
      /already pruned by another prepared pruning/,
    );
    expect(snapshot(model)).toEqual(pruned);
    first.restore();
    expect(snapshot(model)).toEqual(before);
    model.dispose();
  });

  it('rejects bad options with typed errors before changing anything', () => {
    const model = new Mlp();
    const before = snapshot(model);
    const refused = (options: Parameters<typeof pruning>[0], code: string, pattern: RegExp): void => {
      expect(() => pruning(options).prepare(model)).toThrowTdhookError(code, pattern);
      expect(snapshot(model)).toEqual(before);
    };
    refused(
      { amount_to_prune: 0.2 } as never,
      'E_INVALID_VALUE',
      /no option "amount_to_prune"[\s\S]*Use amount/,
    );
    refused({ amount: 1.5 }, 'E_INVALID_VALUE', /fraction in \[0, 1\] or an integer count/);
    refused({ amount: -0.1 }, 'E_INVALID_VALUE', /fraction in \[0, 1\]/);
    refused({ amount: 500 }, 'E_INVALID_VALUE', /500 is more than the 330 entries/);
    refused({ amount: 0.5, relativePath: 'linear9' }, 'E_UNKNOWN_PATH', /linear9/);
    refused({ amount: 0.5, skip: ['linear9'] }, 'E_UNKNOWN_PATH', /linear9/);
    refused({ modules: { linear1: { axis: 1 } } }, 'E_INVALID_VALUE', /no amount/);
    refused(
      { modules: { linear1: [1, 0.5] as never } },
      'E_INVALID_VALUE',
      /tuple[\s\S]*axis: 1, amount: 0.5/,
    );
    refused({ modules: { linear1: { axis: 2, amount: 0.5 } } }, 'E_INVALID_VALUE', /axis 2 is outside/);
    refused(
      { modules: { linear1: { axis: 1, amount: 0.5, groupSize: 3 } } },
      'E_SHAPE_MISMATCH',
      /groupSize 3/,
    );
    refused({ modules: { linear1: { axis: 1, amount: 0.5, norm: 0 } } }, 'E_INVALID_VALUE', /norm must be/);
    refused(
      { modules: { '': { axis: 1, amount: 0.5 } } },
      'E_INVALID_VALUE',
      /no parameter 'kernel' or 'weight'/,
    );
    refused(
      { amount: 0.5, importance: () => tf.zeros([3]) },
      'E_SHAPE_MISMATCH',
      /importance scores have shape \[3\]/,
    );
    refused(
      { amount: 0.5, importance: ({ parameter }) => tf.fill(parameter.shape, Number.NaN) },
      'E_INVALID_VALUE',
      /hold NaN/,
    );
    model.dispose();
  });

  it('counts: an integer amount prunes that many entries; structured groups (groupSize) go together; norm 2 and Infinity rank units', () => {
    const model = new Mlp();
    const before = snapshot(model);
    {
      using _prepared = pruning({ amount: 7 }).prepare(model);
      expect(measureSparsity(model).zeros).toBe(7);
    }
    {
      using _prepared = pruning({ modules: { linear2: { axis: 0, amount: 0.4, groupSize: 2 } } }).prepare(
        model,
      );
      const kernel = snapshot(model)['linear2.kernel'] ?? [];
      const zeroRows = Array.from({ length: 10 }, (_, row) =>
        kernel.slice(row * 10, row * 10 + 10).every((v) => v === 0),
      );
      expect(zeroRows.filter(Boolean)).toHaveLength(4);
      for (let pair = 0; pair < 5; pair += 1) expect(zeroRows[2 * pair]).toBe(zeroRows[2 * pair + 1]);
      // Axis 0 is the kernel's input axis: the bias does not follow.
      expect(snapshot(model)['linear2.bias']).toEqual(before['linear2.bias']);
    }
    for (const norm of [2, Infinity]) {
      using _prepared = pruning({ modules: { linear1: { axis: 1, amount: 3, norm } } }).prepare(model);
      const original = before['linear1.kernel'] ?? [];
      const column = (unit: number): number[] =>
        Array.from({ length: 10 }, (_, row) => Math.abs(original[row * 10 + unit] ?? 0));
      const norms = Array.from({ length: 10 }, (_, unit) =>
        norm === Infinity ? Math.max(...column(unit)) : Math.hypot(...column(unit)),
      );
      const expected = [...norms.keys()]
        .sort((a, b) => (norms[a] ?? 0) - (norms[b] ?? 0))
        .slice(0, 3)
        .sort((a, b) => a - b);
      const bias = snapshot(model)['linear1.bias'] ?? [];
      expect(bias.flatMap((value, unit) => (value === 0 ? [unit] : []))).toEqual(expected);
    }
    expect(snapshot(model)).toEqual(before);
    model.dispose();
  });

  it('breaks ties deterministically: equal scores are pruned in model order, then position', () => {
    const model = new Mlp();
    const before = snapshot(model);
    const ones: ImportanceCallback = ({ parameter }) => tf.onesLike(parameter);
    {
      using _prepared = pruning({ amount: 15, importance: ones }).prepare(model);
      const now = snapshot(model);
      // linear1.kernel comes first in model order: its first 15 entries go.
      expect((now['linear1.kernel'] ?? []).slice(0, 16).map((value) => value === 0)).toEqual([
        ...Array<boolean>(15).fill(true),
        false,
      ]);
    }
    expect(snapshot(model)).toEqual(before);
    model.dispose();
  });

  it('describes itself as JSON (the default importance needs no callback id)', () => {
    expect(pruning({ amount: 0.2 }).options).toEqual({ amount: 0.2, skip: [], relativePath: '' });
    expect(pruning({ modules: { linear1: { axis: 1 } }, amount: 0.3 }).describe()).toMatchObject({
      id: 'weights/pruning',
      options: { amount: 0.3, modules: { linear1: { axis: 1, amount: 0.3, norm: 1, groupSize: 1 } } },
      hooks: program,
    });
  });
});

describe('gradientImportance on a Module', () => {
  it('averages |θ ⊙ ∂loss/∂θ| over batches, matching gradients taken by hand with tf.grads of the same maths', () => {
    const model = new Mlp();
    const xs = [inputs(3), tf.tidy(() => tf.mul(inputs(3), -0.5))];
    const loss = (batch: number): tf.Scalar =>
      tf.tidy(() => tf.sum(tf.square(model.call(xs[batch] as tf.Tensor))));
    using taylor = gradientImportance({ model, loss, batches: 2 });
    const layers = [model.linear1, model.linear2, model.linear3];
    const expected = tf.tidy(() => {
      const parameters = layers.flatMap((layer) => [layer.kernel, layer.bias] as tf.Tensor[]);
      const manual =
        (x: tf.Tensor) =>
        (...p: tf.Tensor[]): tf.Scalar => {
          let h = x;
          for (let layer = 0; layer < 3; layer += 1) {
            h = tf.add(tf.matMul(h, p[2 * layer] as tf.Tensor), p[2 * layer + 1] as tf.Tensor);
            if (layer < 2) h = tf.relu(h);
          }
          return tf.sum(tf.square(h));
        };
      const perBatch = xs.map((x) => tf.grads(manual(x))(parameters));
      return parameters.map((parameter, index) =>
        tf.div(tf.addN(perBatch.map((grads) => tf.abs(tf.mul(parameter, grads[index] as tf.Tensor)))), 2),
      );
    });
    const keys = [
      'linear1.kernel',
      'linear1.bias',
      'linear2.kernel',
      'linear2.bias',
      'linear3.kernel',
      'linear3.bias',
    ];
    expect([...taylor.scores.keys()]).toEqual(keys);
    keys.forEach((key, index) => {
      expect(taylor.scores.get(key)).toBeCloseToTensor(expected[index] as tf.Tensor, {
        rtol: 1e-5,
        atol: 1e-6,
      });
    });
    tf.dispose([...expected, ...xs]);
    expect(() => gradientImportance({ model, loss, batches: 0 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /batches/,
    );
    expect(() => gradientImportance({ model, loss: () => tf.zeros([2]) as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /did not return a float32 scalar/,
    );
    model.dispose();
  });
});
