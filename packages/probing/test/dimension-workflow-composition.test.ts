// SPEC scenario 71: activation caching and probing composed in one Workflow, on the test MLP M.
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '@tdhook/core';
import { resolveModule, TensorDict, Workflow } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { activationCaching, probing, type ProbeLike } from '../src/index.js';
import { testMlp } from './probes-models.js';

/** A probe that keeps a copy of every activation it is given. */
class CopyingProbe implements ProbeLike {
  readonly seen: { shape: number[]; values: number[] }[] = [];
  step(value: tf.Tensor): void {
    this.seen.push({ shape: [...value.shape], values: Array.from(value.dataSync()) });
  }
}

describe('activationCaching + probing in one Workflow (scenario 71)', () => {
  it('scenario 71: two separate passes, the cache is [2, 20], the probe sees a [2, 20] activation once, no hook left', () => {
    const model = testMlp();
    const linear2 = resolveModule(model, 'linear2');
    const countsBefore = hookCounts(linear2);
    const modelCountsBefore = hookCounts(model);
    const probes: CopyingProbe[] = [];
    const workflow = new Workflow([
      activationCaching({ select: 'linear2' }),
      probing({
        select: 'linear2',
        probeFactory: () => {
          const probe = new CopyingProbe();
          probes.push(probe);
          return probe;
        },
        additionalKeys: [],
        stepKey: null,
      }),
    ]);
    const data = new TensorDict(
      { input: tf.randomNormal([2, 10], 0, 1, 'float32', 71) },
      { batchShape: [2] },
    );
    const plan = workflow.plan(model, data);
    expect(plan.executions.map((execution) => [execution.modelPasses, execution.coexecuted])).toEqual([
      [1, false],
      [1, false],
    ]);
    expect(plan.modelPasses).toBe(2);
    expect(plan.decisions).toHaveLength(1);
    expect(plan.decisions[0]?.compatible).toBe(false);

    const { data: result } = workflow.run(model, data);
    const cache = result.getTensor(['cache', 'linear2']);
    expect(cache.shape).toEqual([2, 20]);
    // What linear2 computes on this input, step by step.
    const expected = tf.tidy(() => {
      const call = (path: string, x: tf.Tensor): tf.Tensor => (resolveModule(model, path) as Module).call(x);
      return call('linear2', call('relu1', call('linear1', data.getTensor('input'))));
    });
    expect(cache).toBeCloseToTensor(expected, { rtol: 1e-6, atol: 1e-6 });
    expect(probes).toHaveLength(1);
    expect(probes[0]?.seen).toHaveLength(1);
    expect(probes[0]?.seen[0]?.shape).toEqual([2, 20]);
    expect(probes[0]?.seen[0]?.values).toEqual(Array.from(cache.dataSync()));
    expect(hookCounts(linear2)).toEqual(countsBefore);
    expect(hookCounts(model)).toEqual(modelCountsBefore);
    expected.dispose();
    result.dispose();
    data.dispose();
    model.dispose();
  });
});
