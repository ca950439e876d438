// Attribution methods composed in one Workflow (issue 12 §4): each result equals the method run on its own,
// and the concept pipeline (LRP → RelMax → channel-conditioned LRP) is one workflow whose last step reads the
// selection from the TensorDict when it runs.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { registerHook, TensorDict, Workflow, type Key, type MethodLike } from '@tdhook/core';

import {
  conceptChannelGradient,
  conceptSelection,
  infidelity,
  integratedGradients,
  lrp,
  relMax,
  saliency,
  selectedChannelGradient,
  sensitivity,
  type LrpOptions,
} from '../src/index.js';
import { referenceCnn, referenceInput, referenceMlp } from './reference-models.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

const argmax = { select: 'argmax' } as const;
const exact = { rtol: 0, atol: 0 };

/** Runs one method on its own (prepare, run, restore); the caller disposes the result. */
function alone(method: MethodLike, model: tfl.LayersModel, data: TensorDict): TensorDict {
  const prepared = method.prepare(model);
  try {
    return prepared.run(data);
  } finally {
    prepared.restore();
  }
}

/** Counts the calls of the model itself. */
function countCalls(model: tfl.LayersModel): { readonly count: number; remove(): void } {
  let count = 0;
  const handle = registerHook(model, '', 'forward-pre', () => {
    count++;
    return undefined;
  });
  return {
    get count() {
      return count;
    },
    remove: () => {
      handle.remove();
    },
  };
}

describe('saliency, integrated gradients, LRP and metrics in one workflow (reference MLP)', () => {
  it('each result equals the method run on its own, exactly', () => {
    const model = referenceMlp();
    using data = new TensorDict({ input: referenceInput('mlp') }, { batchShape: [4] });
    const steps = {
      saliency: saliency({ target: argmax, attributionKey: 'saliency' }),
      ig: integratedGradients({ target: argmax, attributionKey: 'ig', baselines: 0, steps: 16 }),
      lrp: lrp({ composite: 'epsilonPlus', target: argmax, attributionKey: 'lrp' }),
    };
    const metric = { model, target: argmax, attributionKey: 'saliency', samples: 5 } as const;
    const workflow = new Workflow([
      steps.saliency,
      steps.ig,
      steps.lrp,
      infidelity(metric),
      sensitivity({ method: steps.saliency, model, attributionKey: 'saliency', radius: 0.01, samples: 4 }),
    ]);
    const plan = workflow.plan(model, data);
    expect(plan.executions.map((execution) => [execution.kind, execution.coexecuted])).toEqual([
      ['method', false],
      ['method', false],
      ['method', false],
      ['operator', false],
      ['operator', false],
    ]);
    expect(plan.decisions.map((decision) => decision.reason)).toEqual([
      'co-execution needs exactly one model pass per method',
      'only read-only capture programs can share a model pass',
    ]);
    const { data: result } = workflow.run(model, data);

    const outputs: [Key, TensorDict][] = [];
    try {
      for (const [key, method] of Object.entries(steps)) outputs.push([key, alone(method, model, data)]);
      for (const [key, own] of outputs) {
        // Measured: identical on cpu and wasm (max |difference| 0).
        expect(result.getTensor([key as string, 'input'])).toBeCloseToTensor(
          own.getTensor([key as string, 'input']),
          exact,
        );
        expect(result.getTensor('output')).toBeCloseToTensor(own.getTensor('output'), exact);
      }
      const salient = outputs[0]?.[1] as TensorDict;
      using scores = infidelity(metric).run(salient);
      expect(result.getTensor(['metrics', 'infidelity'])).toBeCloseToTensor(
        scores.getTensor(['metrics', 'infidelity']),
        exact,
      );
      using sensitive = sensitivity({
        method: steps.saliency,
        model,
        attributionKey: 'saliency',
        radius: 0.01,
        samples: 4,
      }).run(salient);
      expect(result.getTensor(['metrics', 'sensitivity', 'input'])).toBeCloseToTensor(
        sensitive.getTensor(['metrics', 'sensitivity', 'input']),
        exact,
      );
      // The attributions are real ones, not zeros: saliency and LRP differ, IG differs from both.
      expect(result.getTensor(['saliency', 'input'])).not.toBeCloseToTensor(
        result.getTensor(['lrp', 'input']),
        { rtol: 1e-3, atol: 1e-5 },
      );
    } finally {
      for (const [, own] of outputs) own.dispose();
    }
    expect(data.keys()).toEqual([['input']]);
    result.dispose();
    model.dispose();
  });

  it("the issue's example: saliency and integrated gradients share 'output' without an overlap", () => {
    const model = referenceMlp();
    using data = new TensorDict({ input: referenceInput('mlp') }, { batchShape: [4] });
    const workflow = new Workflow([
      saliency({ target: argmax }),
      integratedGradients({ target: argmax, attributionKey: 'ig', baselines: 0, steps: 8 }),
    ]);
    const { data: result, plan } = workflow.run(model, data);
    expect(plan.executions.map((execution) => execution.outKeys)).toEqual([
      [['output'], ['attr', 'input']],
      [['output'], ['ig', 'input']],
    ]);
    expect(result.keys().map((key) => key.join('.'))).toEqual(['input', 'output', 'attr.input', 'ig.input']);
    result.dispose();
    model.dispose();
  });

  it('two capture-only gradient methods (layer saliency), also as { update }, run in their own passes', () => {
    const model = referenceMlp();
    using data = new TensorDict({ input: referenceInput('mlp') }, { batchShape: [4] });
    const fc1 = saliency({ target: argmax, inputs: [], modules: ['fc1'] });
    const fc2 = saliency({ target: argmax, inputs: [], modules: ['fc2'] });
    for (const second of [fc2, { update: fc2 }]) {
      const calls = countCalls(model);
      const { data: result, plan } = new Workflow([fc1, second]).run(model, data);
      expect(plan.modelPasses).toBe(2);
      expect(plan.decisions[0]?.reason).toMatch(/cannot collect from a pass another method runs/);
      expect(calls.count).toBe(2);
      calls.remove();
      using own1 = alone(fc1, model, data);
      using own2 = alone(fc2, model, data);
      expect(result.getTensor(['attr', 'fc1'])).toBeCloseToTensor(own1.getTensor(['attr', 'fc1']), exact);
      expect(result.getTensor(['attr', 'fc2'])).toBeCloseToTensor(own2.getTensor(['attr', 'fc2']), exact);
      result.dispose();
    }
    model.dispose();
  });
});

describe('the concept pipeline as one workflow (reference CNN)', () => {
  const base: LrpOptions = { composite: 'epsilonPlus', target: argmax };
  const labels: (0 | 1)[] = [1, 0, 1, 0];

  const conceptData = (): TensorDict =>
    new TensorDict(
      { input: referenceInput('cnn'), concept_labels: tf.tensor1d(labels, 'int32') },
      { batchShape: [4] },
    );

  /** LRP at conv2 → selection → LRP conditioned on the selected channel, the selection read at run time. */
  const pipeline = (direction: 'positive' | 'negative' = 'positive'): Workflow =>
    new Workflow([
      lrp({ ...base, modules: ['conv2'], inputs: [] }),
      conceptSelection({ relevanceKey: ['attr', 'conv2'], direction }),
      lrp({ ...base, attributionKey: 'concept', outputGradients: { conv2: selectedChannelGradient() } }),
    ]);

  it('equals the two-call version (LRP + relMax, then LRP with conceptChannelGradient), exactly', () => {
    const model = referenceCnn();
    using data = conceptData();
    const workflow = pipeline();
    const plan = workflow.plan(model, data);
    expect(plan.executions.map((execution) => execution.kind)).toEqual(['method', 'operator', 'method']);
    expect(plan.executions[2]?.inKeys).toEqual([
      ['input'],
      ['metrics', 'concept_selection', 'channel'],
      ['metrics', 'concept_selection', 'direction'],
    ]);
    const { data: result } = workflow.run(model, data);

    // The two-call version, as the demo runs it.
    using first = alone(lrp({ ...base, modules: ['conv2'], inputs: [] }), model, data);
    const selection = relMax(first.getTensor(['attr', 'conv2']), labels);
    expect(selection.channel).toBe(8);
    using second = alone(
      lrp({ ...base, outputGradients: { conv2: conceptChannelGradient(selection) } }),
      model,
      data,
    );

    const selected = (name: string): tf.Tensor => result.getTensor(['metrics', 'concept_selection', name]);
    expect(Array.from(selected('channel').dataSync())).toEqual([8, 8, 8, 8]);
    expect(Array.from(selected('direction').dataSync())).toEqual([1, 1, 1, 1]);
    const scores = tf.slice(selected('scores'), [0, 0], [1, -1]);
    expect(scores).toBeCloseToTensor([Array.from(selection.scores)], exact);
    scores.dispose();
    expect(result.getTensor(['attr', 'conv2'])).toBeCloseToTensor(first.getTensor(['attr', 'conv2']), exact);
    // Measured: identical on cpu and wasm (max |difference| 0).
    expect(result.getTensor(['concept', 'input'])).toBeCloseToTensor(
      second.getTensor(['attr', 'input']),
      exact,
    );
    // Conditioning changed the relevance: it is not the plain LRP's.
    using plain = alone(lrp(base), model, data);
    expect(result.getTensor(['concept', 'input'])).not.toBeCloseToTensor(plain.getTensor(['attr', 'input']), {
      rtol: 1e-2,
      atol: 1e-4,
    });
    result.dispose();
    model.dispose();
  });

  it("a 'negative' selection conditions on the argmin channel with the sign flipped", () => {
    const model = referenceCnn();
    using data = conceptData();
    const { data: result } = pipeline('negative').run(model, data);
    using first = alone(lrp({ ...base, modules: ['conv2'], inputs: [] }), model, data);
    const selection = relMax(first.getTensor(['attr', 'conv2']), labels, { direction: 'negative' });
    expect(selection.direction).toBe(-1);
    expect(Array.from(result.getTensor(['metrics', 'concept_selection', 'channel']).dataSync())).toEqual(
      Array(4).fill(selection.channel),
    );
    using second = alone(
      lrp({ ...base, outputGradients: { conv2: conceptChannelGradient(selection) } }),
      model,
      data,
    );
    expect(result.getTensor(['concept', 'input'])).toBeCloseToTensor(
      second.getTensor(['attr', 'input']),
      exact,
    );
    result.dispose();
    model.dispose();
  });

  it('without the selection step, the plan fails before any model call, naming the missing keys', () => {
    const model = referenceCnn();
    using data = conceptData();
    const calls = countCalls(model);
    const workflow = new Workflow([
      lrp({ ...base, modules: ['conv2'], inputs: [] }),
      lrp({ ...base, attributionKey: 'concept', outputGradients: { conv2: selectedChannelGradient() } }),
    ]);
    expect(() => workflow.run(model, data)).toThrowTdhookError(
      'E_PLAN',
      /Step 1:attribution\/lrp requires missing TensorDict keys \["metrics","concept_selection","channel"\], \["metrics","concept_selection","direction"\]/,
    );
    expect(calls.count).toBe(0);
    calls.remove();
    model.dispose();
  });

  it('the run-time gradient: standalone on data holding a selection, typed errors, and a description', () => {
    const model = referenceCnn();
    using data = conceptData();
    const { data: selected } = new Workflow([
      lrp({ ...base, modules: ['conv2'], inputs: [] }),
      conceptSelection({ relevanceKey: ['attr', 'conv2'], outKey: ['metrics', 'loops'] }),
    ]).run(model, data);
    const conditioned = lrp({
      ...base,
      attributionKey: 'concept',
      outputGradients: { conv2: selectedChannelGradient({ selectionKey: ['metrics', 'loops'] }) },
    });
    expect(conditioned.describe()).toMatchObject({
      options: {
        outputGradients: {
          conv2: {
            gradient: 'selected-concept-channel',
            selectionKey: ['metrics', 'loops'],
            channelAxis: -1,
          },
        },
      },
    });
    using result = alone(conditioned, model, selected);
    using expected = alone(
      lrp({ ...base, outputGradients: { conv2: conceptChannelGradient({ channel: 8 }) } }),
      model,
      data,
    );
    expect(result.getTensor(['concept', 'input'])).toBeCloseToTensor(
      expected.getTensor(['attr', 'input']),
      exact,
    );
    // Data without the selection: readConceptSelection's typed error, and the model is left as it was.
    expect(() => alone(conditioned, model, data)).toThrowTdhookError(
      'E_MISSING_KEY',
      /No concept selection channel at \["metrics","loops","channel"\]/,
    );
    using again = alone(lrp(base), model, data);
    expect(again.getTensor(['attr', 'input']).shape).toEqual([4, 16, 16, 1]);
    expect(() => selectedChannelGradient({ channelAxis: 1.5 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /channelAxis must be an integer axis/,
    );
    expect(() =>
      lrp({ ...base, outputGradients: { conv2: { inKeys: [], fromData: 3 } as never } }),
    ).toThrowTdhookError('E_INVALID_VALUE', /outputGradients must map module paths to gradient functions/);
    const notAHook = lrp({ ...base, outputGradients: { conv2: { inKeys: [], fromData: () => 3 as never } } });
    expect(() => alone(notAHook, model, data)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /outputGradients\['conv2'\].fromData returned number, not a gradient function/,
    );
    selected.dispose();
    model.dispose();
  });
});
