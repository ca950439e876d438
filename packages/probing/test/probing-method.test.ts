import * as tf from '@tensorflow/tfjs-core';
import { Lambda, Module, resolveModule, Sequential, TensorDict, Workflow } from '@tdhook/core';
import { hookCounts, isTensor } from '@tdhook/core/plugin';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import {
  accuracy,
  bilinearEstimator,
  logisticRegression,
  probing,
  ProbeManager,
  BilinearProbeManager,
  type ProbeLike,
  type ProbeStep,
} from '../src/index.js';
import { accuracyOf, Linear, scalarOf, testMlp, ZeroEstimator } from './probes-models.js';

/** A step item as plain data: a tensor's shape and values, anything else as is. */
function described(item: unknown): unknown {
  if (!isTensor(item)) return item;
  const shape: number[] = [...item.shape];
  const values: number[] = Array.from(item.dataSync());
  return { shape, values };
}

/** A probe that records what each step got. */
class RecordingProbe implements ProbeLike {
  readonly steps: { shape: number[]; step: Record<string, unknown> }[] = [];
  step(value: tf.Tensor, step: ProbeStep): void {
    const seen: Record<string, unknown> = {};
    for (const name of Object.keys(step)) seen[name] = described(step[name]);
    this.steps.push({ shape: [...value.shape], step: seen });
  }
}

/** A factory recording its calls, with one RecordingProbe per module. */
function recordingFactory() {
  const created: [string, string][] = [];
  const probes = new Map<string, RecordingProbe>();
  const factory = (path: string, direction: string): RecordingProbe => {
    created.push([path, direction]);
    const probe = new RecordingProbe();
    probes.set(direction === 'forward' ? path : `${path} ${direction}`, probe);
    return probe;
  };
  return { created, probes, factory };
}

const batch = (stepType: string | undefined, rows = 2, seed = 0): TensorDict => {
  const data = new TensorDict(
    { input: tf.randomNormal([rows, 10], 0, 1, 'float32', seed), labels: tf.zeros([rows], 'int32') },
    { batchShape: [rows] },
  );
  if (stepType !== undefined) data.set('step_type', stepType);
  return data;
};

const program = (specs: readonly { path: string; direction: string | null; operation: string }[]) =>
  specs.map(({ path, direction, operation }) => [path, direction, operation]);

describe('probing: the method', () => {
  it('scenario 124: "linear2" creates the probe under that name, calls step, and gives the program [probe forward linear2]', () => {
    const model = testMlp();
    const { created, probes, factory } = recordingFactory();
    const data = batch(undefined);
    {
      using prepared = probing({
        select: 'linear2',
        probeFactory: factory,
        additionalKeys: [],
        stepKey: null,
      }).prepare(model);
      prepared.run(data).dispose();
      expect(created).toEqual([['linear2', 'forward']]);
      expect(probes.get('linear2')?.steps).toEqual([{ shape: [2, 20], step: {} }]);
      expect(program(prepared.program)).toEqual([['linear2', 'forward', 'probe']]);
    }
    expect(hookCounts(resolveModule(model, 'linear2')).forward).toBe(0);
    expect(hookCounts(model)['forward-pre']).toBe(0);
    data.dispose();
    model.dispose();
  });

  it('scenario 124: with the default keys the program starts with the input capture, and steps get stepType and labels', () => {
    const model = testMlp();
    const { probes, factory } = recordingFactory();
    const data = batch('fit');
    using prepared = probing({ select: 'linear2', probeFactory: factory }).prepare(model);
    const result = prepared.run(data);
    expect(result.getTensor('output').shape).toEqual([2, 5]); // the model's outputs come back
    result.dispose();
    expect(program(prepared.program)).toEqual([
      ['', 'forward-pre', 'capture-inputs'],
      ['linear2', 'forward', 'probe'],
    ]);
    expect(probes.get('linear2')?.steps).toEqual([
      { shape: [2, 20], step: { labels: { shape: [2], values: [0, 0] }, stepType: 'fit' } },
    ]);
    data.dispose();
    model.dispose();
  });

  it('scenario 125: planning and describing create no probe; non-key additionalKeys raise; options are fixed once configured', () => {
    const model = testMlp();
    const { created, factory } = recordingFactory();
    const method = probing({ select: 'linear1', probeFactory: factory });
    expect(program(method.plan({}, model).hooks)).toEqual([
      ['', 'forward-pre', 'capture-inputs'],
      ['linear1', 'forward', 'probe'],
    ]);
    expect(method.describe({ model, callbackIds: new Map([[factory, 'recording']]) })).toMatchObject({
      id: 'latent/probing',
      options: { select: 'linear1', probeFactory: { callback: 'recording' }, stepKey: ['step_type'] },
      hooks: [
        {
          path: '',
          direction: 'forward-pre',
          operation: 'capture-inputs',
          detail: { keys: [['labels'], ['step_type']] },
        },
        { path: 'linear1', direction: 'forward', operation: 'probe' },
      ],
    });
    // Without a model: one pattern per direction.
    expect(method.plan().hooks[1]).toMatchObject({ path: '*', direction: 'forward', operation: 'probe' });
    expect(created).toEqual([]);
    // The original mutates key_pattern; here a method is immutable, so another select is another method.
    expect(Object.isFrozen(method.options)).toBe(true);
    expect(method.options.select).toBe('linear1');
    expect(program(probing({ ...method.options, select: 'linear2' }).plan({}, model).hooks)[1]).toEqual([
      'linear2',
      'forward',
      'probe',
    ]);
    for (const additionalKeys of [[{}], [['nested', 'key']], { labels: 3 }, 'labels']) {
      expect(() =>
        probing({ select: 'linear1', probeFactory: factory, additionalKeys: additionalKeys as never }),
      ).toThrowTdhookError('E_INVALID_VALUE', /additionalKeys must contain TensorDict keys/);
    }
    expect(() => probing({ select: '(', probeFactory: factory })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /not a valid regular expression/,
    );
    expect(() =>
      probing({ select: 'a', probeFactory: factory, directions: ['sideways' as never] }),
    ).toThrowTdhookError('E_INVALID_VALUE', /directions must be a non-empty list/);
    model.dispose();
  });

  it('scenario 126: the pattern "linear1|linear2" probes linear1 and linear2, not linear3; a RegExp works too', () => {
    const model = testMlp();
    const data = batch('fit');
    for (const select of ['linear1|linear2', /^linear[12]$/]) {
      const { created, probes, factory } = recordingFactory();
      using prepared = probing({ select, probeFactory: factory }).prepare(model);
      prepared.run(data).dispose();
      expect(created).toEqual([
        ['linear1', 'forward'],
        ['linear2', 'forward'],
      ]);
      expect(probes.get('linear1')?.steps).toHaveLength(1);
      expect(probes.get('linear2')?.steps).toHaveLength(1);
    }
    data.dispose();
    model.dispose();
  });

  it('skips containers by default (the original classes_to_skip), reads inputs with forward-pre, and takes a filter', () => {
    class Nested extends Module {
      readonly stack = this.registerModule(
        'stack',
        new Sequential({ fc: new Linear(10, 4, 7), act: new Lambda('tanh', (x: tf.Tensor) => tf.tanh(x)) }),
      );
      readonly head = this.registerModule('head', new Linear(4, 2, 9));
      forward(x: tf.Tensor): tf.Tensor {
        return this.head.call(this.stack.call(x));
      }
    }
    const model = new Nested();
    const data = batch('predict', 3);
    const { created, probes, factory } = recordingFactory();
    {
      using prepared = probing({
        select: /.*/,
        probeFactory: factory,
        directions: ['forward-pre', 'forward'],
      }).prepare(model);
      prepared.run(data).dispose();
    }
    expect(created).toEqual([
      ['stack.fc', 'forward-pre'],
      ['stack.act', 'forward-pre'],
      ['head', 'forward-pre'],
      ['stack.fc', 'forward'],
      ['stack.act', 'forward'],
      ['head', 'forward'],
    ]);
    expect(probes.get('head forward-pre')?.steps.map((s) => s.shape)).toEqual([[3, 4]]); // its input
    expect(probes.get('head')?.steps.map((s) => s.shape)).toEqual([[3, 2]]); // its output
    const filtered = recordingFactory();
    {
      using prepared = probing({
        select: /.*/,
        probeFactory: filtered.factory,
        filter: (path) => path === 'stack',
      }).prepare(model);
      prepared.run(data).dispose();
    }
    expect(filtered.created).toEqual([['stack', 'forward']]);
    data.dispose();
    model.dispose();
  });

  it("flattens the labels' batch dims like the model's, and a missing step key raises before the model runs", () => {
    const model = testMlp();
    const { probes, factory } = recordingFactory();
    const data = new TensorDict(
      {
        input: tf.ones([2, 3, 10]),
        labels: tf.tensor2d(
          [
            [0, 1, 2],
            [3, 4, 5],
          ],
          undefined,
          'int32',
        ),
        step_type: 'fit',
      },
      { batchShape: [2, 3] },
    );
    using prepared = probing({ select: 'linear1', probeFactory: factory }).prepare(model);
    prepared.run(data).dispose();
    expect(probes.get('linear1')?.steps[0]?.step.labels).toEqual({ shape: [6], values: [0, 1, 2, 3, 4, 5] });
    data.delete('step_type');
    expect(() => prepared.run(data)).toThrowTdhookError(
      'E_MISSING_KEY',
      /The step type key "step_type" is missing/,
    );
    expect(probes.get('linear1')?.steps).toHaveLength(1);
    expect(prepared.active).toBe(false); // a failed run restores the model
    expect(hookCounts(resolveModule(model, 'linear1')).forward).toBe(0);
    data.dispose();
    model.dispose();
  });

  it('scenario 65: inspection is inert; the plan reads ("input", "labels", "step_type"); a missing step_type raises; running creates ("linear1", "forward")', () => {
    const model = testMlp();
    const { created, factory } = recordingFactory();
    const workflow = new Workflow([probing({ select: 'linear1', probeFactory: factory })]);
    const data = batch('fit');
    const plan = workflow.plan(model, data);
    expect(created).toEqual([]);
    expect(plan.executions[0]?.inKeys).toEqual([['input'], ['labels'], ['step_type']]);
    const withoutStep = data.exclude('step_type');
    expect(() => workflow.plan(model, withoutStep)).toThrow(/step_type/);
    withoutStep.dispose();
    workflow.run(model, data).data.dispose();
    expect(created).toEqual([['linear1', 'forward']]);
    data.dispose();
    model.dispose();
  });

  it('scenario 127: ProbeManager reuses the same fitted estimator across two bindings (fit, then predict); accuracy 1.0 in both phases', () => {
    const model = testMlp();
    using manager = new ProbeManager(
      () => new ZeroEstimator(),
      (predictions, labels) => ({ accuracy: accuracyOf(predictions, labels) }),
    );
    const method = probing({ select: 'linear2', probeFactory: manager.probeFactory });
    const fitData = batch('fit', 4);
    {
      using prepared = method.prepare(model);
      prepared.run(fitData).dispose();
    }
    const estimator = manager.estimators.get('linear2_forward');
    expect(estimator?.fitted).toBe(true);
    const predictData = fitData.clone().set('step_type', 'predict');
    {
      using prepared = method.prepare(model);
      prepared.run(predictData).dispose();
    }
    expect(manager.estimators.get('linear2_forward')).toBe(estimator);
    expect(scalarOf(manager.results.getTensor(['fit', 'linear2_forward', 'accuracy']))).toBe(1);
    expect(scalarOf(manager.results.getTensor(['predict', 'linear2_forward', 'accuracy']))).toBe(1);
    fitData.dispose();
    predictData.dispose();
    model.dispose();
  });

  it('logisticRegression through probing and ProbeManager on linear1 equals the same regression fitted on the activations by hand; the metrics functions plug in as is', () => {
    const model = testMlp();
    const rows = 40;
    const input = tf.randomNormal([rows, 10], 0, 1, 'float32', 7);
    // A label the first input feature decides, with the boundary shifted so the classes overlap a little.
    const labels = tf.tidy(() =>
      tf.cast(
        tf.greater(
          tf.reshape(
            tf.add(tf.slice(input, [0, 0], [rows, 1]), tf.randomNormal([rows, 1], 0, 0.5, 'float32', 8)),
            [rows],
          ),
          0,
        ),
        'int32',
      ),
    );
    using manager = new ProbeManager(
      () => logisticRegression(),
      (predictions, truth) => ({ accuracy: accuracy(predictions, truth as tf.Tensor) }),
    );
    const method = probing({ select: 'linear1', probeFactory: manager.probeFactory });
    const data = (stepType: string): TensorDict =>
      new TensorDict(
        { input: input.clone(), labels: labels.clone(), step_type: stepType },
        { batchShape: [rows] },
      );
    const fitData = data('fit');
    const predictData = data('predict');
    {
      using prepared = method.prepare(model);
      prepared.run(fitData).dispose();
      prepared.run(predictData).dispose();
    }
    // The same fit by hand on linear1's output x·W + b.
    const linear1 = resolveModule(model, 'linear1') as Linear;
    const hidden = tf.tidy(() => tf.add(tf.matMul(input, linear1.weight), linear1.bias));
    const direct = logisticRegression();
    direct.fit(hidden, labels);
    const predicted = direct.predict(hidden);
    const expected = accuracy(predicted, labels);
    const probed = manager.estimators.get('linear1_forward') as ReturnType<typeof logisticRegression>;
    expect(probed.solverUsed).toBe('newton');
    expect(probed.converged).toBe(true);
    const [probedWeights = []] = probed.coef;
    const [directWeights = []] = direct.coef;
    for (const [j, weight] of directWeights.entries()) expect(probedWeights[j]).toBeCloseTo(weight, 6);
    expect(probed.intercept[0]).toBeCloseTo(direct.intercept[0] ?? NaN, 6);
    expect(expected).toBeGreaterThan(0.8);
    expect(scalarOf(manager.results.getTensor(['fit', 'linear1_forward', 'accuracy']))).toBeCloseTo(
      expected,
      6,
    );
    expect(scalarOf(manager.results.getTensor(['predict', 'linear1_forward', 'accuracy']))).toBeCloseTo(
      expected,
      6,
    );
    tf.dispose([input, labels, hidden, predicted]);
    direct.dispose();
    fitData.dispose();
    predictData.dispose();
    model.dispose();
  });

  it('scenario 135: a bilinear estimator through probing on M (linear1 × linear2, 3 fit and 2 predict batches, overwrite): scalar results, program [capture inputs, probe linear1, probe linear2]', () => {
    const model = testMlp();
    using manager = new BilinearProbeManager(
      [['linear1', 'linear2']],
      () => bilinearEstimator({ inputs: [20, 20], classes: 5, epochs: 15, seed: 0 }),
      (predictions, labels) => ({ accuracy: accuracyOf(predictions, labels) }),
      { overwriteResults: true },
    );
    expect(manager.keyPattern).toBe('linear1$|linear2$');
    const method = probing({ select: manager.keyPattern, probeFactory: manager.probeFactory });
    const batches = ['fit', 'fit', 'fit', 'predict', 'predict'].map((stepType, i) => {
      const data = new TensorDict(
        {
          input: tf.randomNormal([8, 10], 0, 1, 'float32', 100 + i),
          labels: tf.randomUniformInt([8], 0, 5, 200 + i),
          step_type: stepType,
        },
        { batchShape: [8] },
      );
      return data;
    });
    manager.beforeAll();
    {
      using prepared = method.prepare(model);
      for (const data of batches) prepared.run(data).dispose();
      expect(program(prepared.program)).toEqual([
        ['', 'forward-pre', 'capture-inputs'],
        ['linear1', 'forward', 'probe'],
        ['linear2', 'forward', 'probe'],
      ]);
    }
    manager.afterAll();
    for (const phase of ['fit', 'predict']) {
      const accuracy = manager.results.getTensor([phase, 'linear1_linear2_forward', 'accuracy']);
      expect(accuracy.rank).toBe(0);
      const value = scalarOf(accuracy);
      expect(value * 8).toBeCloseTo(Math.round(value * 8), 5); // a share of 8 rows
    }
    expect(manager.estimators.get('linear1_linear2_forward')?.fitted).toBe(true);
    // Only linear1 selected: the pair never completes, and afterAll says so.
    manager.beforeAll();
    {
      using prepared = probing({ select: 'linear1$', probeFactory: manager.probeFactory }).prepare(model);
      prepared.run(batches[0] as TensorDict).dispose();
    }
    expect(() => {
      manager.afterAll();
    }).toThrowTdhookError('E_INVALID_VALUE', /still waiting on keys/);
    for (const data of batches) data.dispose();
    model.dispose();
  });
});

describe('probing: gradient directions', () => {
  it("'backward-pre' and 'backward' step probes with the objective's gradient w.r.t. a module's output and input", () => {
    const model = testMlp();
    const { created, probes, factory } = recordingFactory();
    const data = batch('predict', 2, 5);
    const method = probing({
      select: 'linear3$',
      probeFactory: factory,
      directions: ['forward', 'backward-pre', 'backward'],
      additionalKeys: [],
      // d/d(output) of Σ output[:, 2]: the one-hot column 2.
      objective: ([logits]) => tf.slice(logits as tf.Tensor, [0, 2], [-1, 1]),
    });
    expect(method.requirements.gradients).toBe('required');
    {
      using prepared = method.prepare(model);
      using result = prepared.run(data);
      expect(result.getTensor('output').shape).toEqual([2, 5]);
      expect(program(prepared.program)).toEqual([
        ['', 'forward-pre', 'capture-inputs'],
        ['linear3', 'forward', 'probe'],
        ['linear3', 'backward-pre', 'probe'],
        ['linear3', 'backward', 'probe'],
      ]);
    }
    expect(created).toEqual([
      ['linear3', 'forward'],
      ['linear3', 'backward-pre'],
      ['linear3', 'backward'],
    ]);
    const row = [0, 0, 1, 0, 0];
    expect(probes.get('linear3 backward-pre')?.steps).toEqual([
      { shape: [2, 5], step: { stepType: 'predict' } },
    ]);
    // Through linear3 (x·W + b): the input gradient is W's column 2, for each row.
    const linear3 = resolveModule(model, 'linear3') as Linear;
    const column = tf.tidy(() =>
      Array.from(tf.reshape(tf.slice(linear3.weight, [0, 2], [-1, 1]), [-1]).dataSync()),
    );
    const recorded = probes.get('linear3 backward')?.steps[0]?.step;
    expect(recorded).toEqual({ stepType: 'predict' });
    // The values themselves: a probe that keeps them.
    const kept: tf.Tensor[] = [];
    const keeping = probing({
      select: 'linear3$',
      probeFactory: () => ({ step: (value) => void kept.push(tf.clone(value)) }),
      directions: ['backward-pre', 'backward'],
      additionalKeys: [],
      objective: ([logits]) => tf.slice(logits as tf.Tensor, [0, 2], [-1, 1]),
    });
    {
      using prepared = keeping.prepare(model);
      prepared.run(data).dispose();
    }
    expect(kept[0]).toBeCloseToTensor([row, row], { atol: 0, rtol: 0 });
    expect(kept[1]).toBeCloseToTensor([column, column], { atol: 1e-6, rtol: 1e-6 });
    tf.dispose(kept);
    expect(hookCounts(resolveModule(model, 'linear3')).backward).toBe(0);
    expect(() =>
      probing({ select: 'a', probeFactory: factory, objective: () => tf.scalar(0) }),
    ).toThrowTdhookError('E_INVALID_VALUE', /objective is set, but no gradient direction is probed/);
    data.dispose();
    model.dispose();
  });
});
