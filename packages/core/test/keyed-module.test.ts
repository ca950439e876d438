// KeyedModule (issue 17, SPEC §1.3): a module that owns its keys is used as is by KeyedModel, every
// method's prepare/plan/describe and Workflow; keys given are only checked. A record outKeys with an int32
// output (the action) next to float ones.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { KeyedModel } from '../src/methods/keyed-model.js';
import { defineMethod } from '../src/methods/define-method.js';
import { defineOperator } from '../src/methods/operator.js';
import { Workflow } from '../src/methods/workflow.js';
import { KeyedModule } from '../src/modules/keyed-module.js';
import { TensorDict } from '../src/tensordict/tensor-dict.js';
import { Dense } from './reference-mlp.js';
import { values } from './small-net.js';
import { captureActivations, inputGradient } from './test-methods.js';

/** observation [B, 2] → logits [B, 2] (actor), action = argmax int32 [B], value [B] (critic). */
class Policy extends KeyedModule {
  readonly inKeys = ['observation'];
  readonly outKeys = { logits: 'logits', action: 'action', value: 'value' };
  readonly actor = this.registerModule(
    'actor',
    new Dense(
      tf.tensor2d([
        [1, -1],
        [2, 0.5],
      ]),
      tf.tensor1d([0, 0.1]),
    ),
  );
  readonly critic = this.registerModule('critic', new Dense(tf.tensor2d([[1], [-1]]), tf.tensor1d([0.5])));

  forward(observation: tf.Tensor): Record<string, tf.Tensor> {
    const logits = this.actor.call(observation);
    return {
      logits,
      action: tf.argMax(logits, -1),
      value: tf.squeeze(this.critic.call(observation), [-1]),
    };
  }
}

// logits = o·K + b: [5, 0.1], [0, 1.35], [-2, -0.4]; value = o₀ − o₁ + 0.5.
const observations = [
  [1, 2],
  [-1, 0.5],
  [0, -1],
];
const expectedLogits = [5, 0.1, 0, 1.35, -2, -0.4];
const expectedActions = [0, 1, 1];
const expectedValues = [-0.5, -1, 1.5];

const observed = (): TensorDict =>
  new TensorDict({ observation: tf.tensor2d(observations) }, { batchShape: [3] });

/** Publishes the model's outputs: its plan lists them, so describe shows what the model writes. */
const modelOutputs = defineMethod<null>({
  contract: 'tdhook.method/1',
  id: 'test/model-outputs',
  plan: (_options, model) => ({ hooks: [], inKeys: model.inKeys, outKeys: model.outKeys }),
  bind: (_options, context) => ({ run: (data) => context.model.run(data) }),
});

/** Float32 values within 1e-6 of the expected ones. */
function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, index) => {
    expect(value).toBeCloseTo(expected[index] ?? Number.NaN, 6);
  });
}

function expectPolicyOutputs(result: TensorDict): void {
  expect(result.getTensor('logits').dtype).toBe('float32');
  expectClose(values(result.getTensor('logits')), expectedLogits);
  expect(result.getTensor('action').dtype).toBe('int32');
  expect(values(result.getTensor('action'))).toEqual(expectedActions);
  expect(values(result.getTensor('value'))).toEqual(expectedValues);
}

describe('KeyedModule: its own keys', () => {
  it('KeyedModel and prepare use them without being told; int32 and float outputs keep batch dims', () => {
    const policy = new Policy();
    const data = observed();
    using result = new KeyedModel(policy).run(data);
    expectPolicyOutputs(result);
    {
      using prepared = captureActivations({ paths: ['actor'] }).prepare(policy);
      expect(prepared.model.inKeys).toEqual([['observation']]);
      expect(prepared.model.outKeys).toEqual([['logits'], ['action'], ['value']]);
      using captured = prepared.run(data);
      expectPolicyOutputs(captured);
      expectClose(values(captured.getTensor(['cache', 'actor'])), expectedLogits);
    }
    // Batch dims [2, 3]: flattened for the model, restored for every output, the int32 action included.
    const grid = new TensorDict(
      { observation: tf.tensor3d([observations, observations.map(([a, b]) => [b ?? 0, a ?? 0])]) },
      { batchShape: [2, 3] },
    );
    using gridResult = new KeyedModel(policy).run(grid);
    expect(gridResult.getTensor('action').shape).toEqual([2, 3]);
    expect(gridResult.getTensor('action').dtype).toBe('int32');
    // Swapped rows: [2, 1] → [4, −1.4]; [0.5, −1] → [−1.5, −0.9]; [−1, 0] → [−1, 1.1].
    expect(values(gridResult.getTensor('action'))).toEqual([0, 1, 1, 0, 1, 1]);
    expect(gridResult.getTensor('logits').shape).toEqual([2, 3, 2]);
    expect(values(gridResult.getTensor('value'))).toEqual([...expectedValues, 1.5, 2, -0.5]);
    grid.dispose();
    data.dispose();
    policy.dispose();
  });

  it('keys given are checked against its own, never used: an InvalidKeyError names its keys', () => {
    const policy = new Policy();
    const capture = captureActivations({ paths: ['actor'] });
    expect(() => capture.prepare(policy, { inKeys: ['obs'] })).toThrowTdhookError(
      'E_INVALID_KEY',
      /Key "obs" is not one of Policy's own inKeys \("observation"\)/,
    );
    expect(() => new KeyedModel(policy, { outKeys: ['logits', 'probs'] })).toThrowTdhookError(
      'E_INVALID_KEY',
      /"probs" is not one of Policy's own outKeys \("logits", "action", "value"\)/,
    );
    expect(() => capture.plan({ inKeys: ['obs'] }, policy)).toThrowTdhookError('E_INVALID_KEY', /"obs"/);
    // Some of its own keys, in any form: accepted, and the module's full keys are used.
    const data = observed();
    {
      using prepared = capture.prepare(policy, { inKeys: ['observation'], outKeys: { v: 'value' } });
      expect(prepared.model.outKeys).toEqual([['logits'], ['action'], ['value']]);
      using result = prepared.run(data);
      expectPolicyOutputs(result);
    }
    data.dispose();
    policy.dispose();
  });

  it('plan and describe against the model show its keys; without the model, the keys given', () => {
    const policy = new Policy();
    const method = modelOutputs(null);
    expect(method.plan(undefined, policy)).toMatchObject({
      inKeys: [['observation']],
      outKeys: [['logits'], ['action'], ['value']],
    });
    expect(method.describe({ model: policy })).toMatchObject({
      inKeys: [['observation']],
      outKeys: [['logits'], ['action'], ['value']],
    });
    expect(method.describe()).toMatchObject({ inKeys: [['input']], outKeys: [['output']] });
    expect(
      captureActivations({ paths: ['critic'] }).describe({ model: policy, keys: { outKeys: ['value'] } }),
    ).toMatchObject({
      hooks: [{ path: 'critic', direction: 'forward', operation: 'capture' }],
      inKeys: [['observation']],
      outKeys: [['cache', 'critic']],
    });
    policy.dispose();
  });

  it('a Workflow uses its keys: captures, a gradient of the value, an operator on the int32 action', () => {
    const policy = new Policy();
    const data = observed();
    const actionIsRight = defineOperator({
      name: 'action-is-right',
      inKeys: ['action'],
      outKeys: ['right'],
      run: (d) => new TensorDict({ right: tf.equal(d.getTensor('action'), 1) }, { batchShape: d.batchShape }),
    });
    const workflow = new Workflow([
      captureActivations({ paths: ['actor', 'critic'] }),
      inputGradient({ output: 2 }), // outKeys order: logits, action, value
      actionIsRight,
    ]);
    expect(workflow.plan(policy, data).executions.map((execution) => execution.steps)).toEqual([
      ['0:test/capture-activations'],
      ['1:test/input-gradient'],
      ['2:action-is-right'],
    ]);
    const described = workflow.describe({ model: policy }) as { inKeys: unknown; method?: unknown }[];
    expect(described[0]).toMatchObject({
      inKeys: [['observation']],
      method: { hooks: [{ path: 'actor' }, { path: 'critic' }], inKeys: [['observation']] },
    });
    expect(workflow.describe()).toMatchObject([{ inKeys: [['input']] }, {}, {}]); // model-free: the defaults
    const { data: result } = workflow.run(policy, data);
    expectPolicyOutputs(result);
    expectClose(values(result.getTensor(['cache', 'critic'])), expectedValues);
    // d(Σ value)/d observation = the critic's kernel, [1, −1], in every row.
    expect(values(result.getTensor(['grad', 'input']))).toEqual([1, -1, 1, -1, 1, -1]);
    expect(result.getTensor('right').dtype).toBe('bool');
    expect(values(result.getTensor('right'))).toEqual([0, 1, 1]);
    // Prepared once: the same.
    {
      using prepared = workflow.prepare(policy);
      const { data: again } = prepared.run(data);
      for (const key of result.keys())
        expect(values(again.getTensor(key))).toEqual(values(result.getTensor(key)));
      again.dispose();
    }
    expect(() => new Workflow(workflow.steps, { inKeys: ['obs'] }).run(policy, data)).toThrowTdhookError(
      'E_INVALID_KEY',
      /own inKeys \("observation"\)/,
    );
    expect(() => workflow.prepare(policy, { outKeys: ['q'] })).toThrowTdhookError('E_INVALID_KEY', /"q"/);
    result.dispose();
    data.dispose();
    policy.dispose();
  });

  it('a record inKeys: forward gets one object', () => {
    class Masked extends KeyedModule<[{ obs: tf.Tensor; mask: tf.Tensor }], tf.Tensor> {
      readonly inKeys = { obs: 'observation', mask: ['masks', 'valid'] } as const; // as const: a nested key is a tuple
      readonly outKeys = ['masked'];
      forward({ obs, mask }: { obs: tf.Tensor; mask: tf.Tensor }): tf.Tensor {
        return tf.mul(obs, mask);
      }
    }
    const data = new TensorDict(
      { observation: tf.tensor2d([[1, 2]]), masks: { valid: tf.tensor2d([[0, 1]]) } },
      { batchShape: [1] },
    );
    using result = new KeyedModel(new Masked()).run(data);
    expect(values(result.getTensor('masked'))).toEqual([0, 2]);
    data.dispose();
  });
});
