// adapters composed with @tdhook/probing in one core Workflow (SPEC scenarios 72 and 74), on the tiny model of
// adapters-models.ts (linear2 outputs [[6,4],[2,1]] on the two rows, worked out by hand there).
import * as tf from '@tensorflow/tfjs-core';
import { namedModules, TensorDict, Workflow } from '@tdhook/core';
import { activationCaching, probing, type ProbeLike } from '@tdhook/probing';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { adapters } from '../src/index.js';
import { expectOriginalOutput, installedHooks, Scale, tinyInput, tinyModel } from './adapters-models.js';
import { snapshot } from './parameter-snapshot.js';

const exact = { rtol: 0, atol: 0 };

describe('adapters in a Workflow with @tdhook/probing (scenarios 72, 74)', () => {
  it('scenario 72: adapters(identity) + activationCaching: 2 passes, the cache holds linear2, state unchanged, no hooks, no adapter module left', () => {
    const model = tinyModel();
    const before = snapshot(model);
    const modulesBefore = namedModules(model).map(([path]) => path);
    const identity = new Scale(1); // a Module adapter, with a parameter of its own
    using data = new TensorDict({ input: tf.tensor2d(tinyInput) }, { batchShape: [2] });
    const workflow = new Workflow([
      adapters({ adapters: { identity: { adapter: identity, from: 'linear2' } } }),
      activationCaching({ select: 'linear2' }),
    ]);
    const plan = workflow.plan(model, data);
    expect(plan.modelPasses).toBe(2);
    expect(plan.executions.map((execution) => [execution.modelPasses, execution.coexecuted])).toEqual([
      [1, false],
      [1, false],
    ]);
    expect(plan.decisions[0]?.compatible).toBe(false);
    const { data: result } = workflow.run(model, data);
    expect(result.getTensor('output')).toBeCloseToTensor(
      [
        [6, 4],
        [2, 1],
      ],
      exact,
    );
    expect(result.getTensor(['cache', 'linear2'])).toBeCloseToTensor(
      [
        [6, 4],
        [2, 1],
      ],
      exact,
    );
    result.dispose();
    expect(installedHooks(model)).toBe(0);
    expect(snapshot(model)).toEqual(before);
    expect(namedModules(model).map(([path]) => path)).toEqual(modulesBefore);
    identity.dispose();
    model.dispose();
  });

  it('scenario 74: adapters + a probe that throws: the error propagates, every hook is removed, parameters unchanged', () => {
    const model = tinyModel();
    const before = snapshot(model);
    using data = new TensorDict({ input: tf.tensor2d(tinyInput) }, { batchShape: [2] });
    const exploding: ProbeLike = {
      step: () => {
        throw new Error('the probe exploded');
      },
    };
    const workflow = new Workflow([
      adapters({
        adapters: { double: { adapter: (value) => tf.mul(value, 2), from: 'linear1', to: 'linear2' } },
      }),
      probing({ select: 'linear2', probeFactory: () => exploding, additionalKeys: [], stepKey: null }),
    ]);
    expect(() => workflow.run(model, data)).toThrow(/the probe exploded/);
    expect(installedHooks(model)).toBe(0);
    expect(snapshot(model)).toEqual(before);
    // The model runs as before.
    expectOriginalOutput(model);
    model.dispose();
  });
});
