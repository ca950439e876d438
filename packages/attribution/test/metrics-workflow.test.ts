// The metrics as workflow steps after the attribution method they score (the original's scenarios 87–88).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { registerHook, TensorDict, Workflow } from '@tdhook/core';

import { infidelity, saliency, sensitivity } from '../src/index.js';
import { ModuleMlp, referenceInput } from './reference-models.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

describe('metrics in a workflow', () => {
  it('score saliency: one value ≥ 0 per batch item, n + 1 + 1 model calls, the data unchanged', () => {
    const model = new ModuleMlp();
    const target = { select: 'argmax' } as const;
    const workflow = new Workflow([
      saliency({ target }),
      // chunkSize = batch: one model call per perturbation, as the original makes.
      infidelity({ model, target, samples: 5, chunkSize: 2 }),
      sensitivity({ method: saliency({ target }), model, radius: 0.01 }),
    ]);
    const all = referenceInput('mlp');
    const x = tf.slice(all, 0, 2);
    all.dispose();
    using data = new TensorDict({ input: x }, { batchShape: [2] });
    const copy = tf.clone(x);
    expect(workflow.plan(model, data).executions.map((execution) => execution.kind)).toEqual([
      'method',
      'operator',
      'operator',
    ]);
    let calls = 0;
    const handle = registerHook(model, '', 'forward', () => {
      calls++;
    });
    const { data: result } = workflow.run(model, data);
    handle.remove();
    expect(calls).toBe(1 + 5 + 1);
    for (const key of [
      ['metrics', 'infidelity'],
      ['metrics', 'sensitivity', 'input'],
    ] as const) {
      const value = result.getTensor(key);
      expect(value.shape).toEqual([2]);
      expect(Math.min(...value.dataSync())).toBeGreaterThanOrEqual(0);
    }
    expect(data.keys()).toEqual([['input']]);
    expect(data.getTensor('input')).toBeCloseToTensor(copy, { rtol: 0, atol: 0 });
    result.dispose();
    copy.dispose();
    model.dispose();
  });
});
