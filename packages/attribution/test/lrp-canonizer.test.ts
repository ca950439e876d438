// The batch-norm canonizer (zennit's SequentialMergeBatchNorm) against zennit, derived analytically: the
// reference MLP and CNN get a batch norm after each hidden dense/conv layer, with the layer's weights chosen
// (in float64) so that merging the pair gives back the reference weights, W = W₀·s, b = (b₀ − μ)·s + β,
// s = γ/√(var + ε). With the canonizer, LRP on these models must equal zennit's LRP of the reference models
// (which zennit would compute on the batch-norm models with the canonizer, up to the float32 rounding of the
// merge) and LRP of the reference models themselves, the explicitly merged models. Without it, the batch norms
// pass relevance (zennit's base rule) and the result differs.
// Tolerance: the conformance suite's (rtol 1e-3 plus 1e-4 of the largest relevance). Measured max |canonized −
// merged|: MLP 1.7e-5 (wasm) / 1.1e-5 (cpu) on ε with class 3 (relevances up to 4.1; 4.5e-8 for z⁺ and α1β0),
// CNN 3.3e-6 (wasm) / 5.3e-8 (cpu) on ε with class 3 (up to 0.11; ≤ 2.6e-8 otherwise). Against zennit: the
// same order. Without the canonizer: 6.3e-4 to 1.8e2 off (z⁺ on the CNN to ε on the MLP).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { namedModules, TensorDict, type ModelNode } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';
import {
  loadReferenceModel,
  loadReferenceResults,
  referenceWeights,
  seededTensor,
  tensorFromSpec,
  type ReferenceResult,
} from '@tdhook/testing';

import {
  defineLrpCanonizer,
  lrp,
  lrpCanonizer,
  lrpComposites,
  lrpRule,
  type LrpComposite,
  type LrpCompositeName,
} from '../src/index.js';
import { referenceCnn, referenceInput, referenceMlp } from './reference-models.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

const bnEpsilon = 1e-3;

/** Per-channel batch-norm statistics, spread but deterministic. */
function statistics(channels: number): {
  gamma: number[];
  beta: number[];
  mean: number[];
  variance: number[];
} {
  const of = (f: (c: number) => number): number[] => Array.from({ length: channels }, (_, c) => f(c));
  return {
    gamma: of((c) => 0.5 + ((c * 37) % 13) / 8),
    beta: of((c) => (((c * 17) % 11) - 5) / 20),
    mean: of((c) => (((c * 23) % 7) - 3) / 10),
    variance: of((c) => 0.25 + ((c * 29) % 9) / 6),
  };
}

/** W₀ = W/s and b₀ = (b − β)/s + μ over the last (output) axis, in float64, so that merging gives W and b. */
function unmerged(name: string, model: 'mlp' | 'cnn'): { weights: tf.Tensor[]; bn: tf.Tensor[] } {
  const [kernel, bias] = referenceWeights(loadReferenceModel(model), name);
  const channels = bias.size;
  const { gamma, beta, mean, variance } = statistics(channels);
  const scale = gamma.map((g, c) => g / Math.sqrt((variance[c] as number) + bnEpsilon));
  const w = Float64Array.from(kernel.dataSync()).map((v, i) => v / (scale[i % channels] as number));
  const b = Float64Array.from(bias.dataSync()).map(
    (v, c) => (v - (beta[c] as number)) / (scale[c] as number) + (mean[c] as number),
  );
  const weights = [
    tf.tensor(Float32Array.from(w), kernel.shape),
    tf.tensor(Float32Array.from(b), bias.shape),
  ];
  tf.dispose([kernel, bias]);
  return { weights, bn: [gamma, beta, mean, variance].map((values) => tf.tensor1d(values)) };
}

function withWeights(model: tfl.Sequential, name: 'mlp' | 'cnn', merged: readonly string[]): tfl.Sequential {
  const reference = loadReferenceModel(name);
  for (const layer of model.layers) {
    if (layer.getWeights().length === 0 || layer.name.startsWith('bn')) continue;
    if (merged.includes(layer.name)) {
      const { weights, bn } = unmerged(layer.name, name);
      layer.setWeights(weights);
      const bnLayer = model.getLayer(`bn${layer.name.slice(-1)}`);
      bnLayer.setWeights(bn);
      tf.dispose([...weights, ...bn]);
    } else {
      const values = referenceWeights(reference, layer.name);
      layer.setWeights(values);
      tf.dispose(values);
    }
  }
  return model;
}

const bn = (name: string): tfl.layers.Layer => tfl.layers.batchNormalization({ epsilon: bnEpsilon, name });

/** fc1, bn1, relu1, fc2, bn2, relu2, fc3. */
function bnMlp(): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 64, inputShape: [16], name: 'fc1' }),
      bn('bn1'),
      tfl.layers.activation({ activation: 'relu', name: 'relu1' }),
      tfl.layers.dense({ units: 64, name: 'fc2' }),
      bn('bn2'),
      tfl.layers.activation({ activation: 'relu', name: 'relu2' }),
      tfl.layers.dense({ units: 10, name: 'fc3' }),
    ],
  });
  return withWeights(model, 'mlp', ['fc1', 'fc2']);
}

/** conv1, bn1, relu1, pool1, conv2, bn2, relu2, gap, fc. */
function bnCnn(): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        inputShape: [16, 16, 1],
        name: 'conv1',
      }),
      bn('bn1'),
      tfl.layers.activation({ activation: 'relu', name: 'relu1' }),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: 'pool1' }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', name: 'conv2' }),
      bn('bn2'),
      tfl.layers.activation({ activation: 'relu', name: 'relu2' }),
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
      tfl.layers.dense({ units: 10, name: 'fc' }),
    ],
  });
  return withWeights(model, 'cnn', ['conv1', 'conv2']);
}

const composites: Readonly<Record<string, LrpCompositeName>> = {
  epsilon: 'epsilon',
  zplus: 'zPlus',
  alpha1beta0: 'alpha1beta0',
  EpsilonPlus: 'epsilonPlus',
  EpsilonAlpha2Beta1: 'epsilonAlpha2Beta1',
};

const compositeOf = (result: ReferenceResult): LrpCompositeName =>
  composites[String(result.options.composite)] as LrpCompositeName;

const selectOf = (result: ReferenceResult): 'argmax' | number[] =>
  result.targetSpec === 'argmax' ? 'argmax' : [...result.target];

function relevance(
  model: ModelNode,
  name: 'mlp' | 'cnn',
  composite: LrpComposite | LrpCompositeName,
  result: ReferenceResult,
): tf.Tensor {
  using prepared = lrp({ composite, target: { select: selectOf(result) } }).prepare(model);
  using data = new TensorDict({ input: referenceInput(name) }, { batchShape: [4] });
  using output = prepared.run(data);
  return tf.clone(output.getTensor(['attr', 'input']));
}

const maxAbs = (a: tf.Tensor, b: tf.Tensor): number =>
  tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? Number.NaN);

// The conformance suite's LRP tolerance (lrp-reference.test.ts): rtol 1e-3 plus 1e-4 of the largest relevance.
const tolerance = (expected: tf.Tensor): { rtol: number; atol: number } => ({
  rtol: 1e-3,
  atol: 1e-4 * tf.tidy(() => tf.max(tf.abs(expected)).dataSync()[0] ?? 0),
});

const cases = (name: 'mlp' | 'cnn'): [string, ReferenceResult][] =>
  loadReferenceResults(name)
    .results.filter((result) => result.method === 'LRP')
    .map((result) => [result.id, result]);

describe.each([
  ['mlp', bnMlp, referenceMlp],
  ['cnn', bnCnn, referenceCnn],
] as const)('the batch-norm canonizer on the reference %s with batch norms', (name, build, merged) => {
  it.each(cases(name))('%s: equals zennit and the merged model; differs without it', (_, result) => {
    const model = build();
    const mergedModel = merged();
    const composite = lrpComposites[compositeOf(result)]({ canonizers: [lrpCanonizer.mergeBatchNorm()] });
    const canonized = relevance(model, name, composite, result);
    const explicit = relevance(mergedModel, name, compositeOf(result), result);
    const plain = relevance(model, name, compositeOf(result), result);
    const zennit = tensorFromSpec(result.attributionTfjs);
    expect(canonized).toBeCloseToTensor(zennit, tolerance(zennit));
    expect(canonized).toBeCloseToTensor(explicit, tolerance(explicit));
    // Without the canonizer the batch norms pass relevance and the denominators are the pre-norm outputs.
    const largest = tf.tidy(() => tf.max(tf.abs(zennit)).dataSync()[0] ?? 0);
    expect(maxAbs(plain, zennit)).toBeGreaterThan(0.05 * largest);
    tf.dispose([canonized, explicit, plain, zennit]);
    model.dispose();
    mergedModel.dispose();
  });
});

/** Every weight of every layer, as plain numbers, to check that restoring is exact. */
function weightValues(model: tfl.LayersModel): number[][] {
  return model.layers.flatMap((layer) => layer.getWeights().map((weight) => Array.from(weight.dataSync())));
}

function noHooks(model: ModelNode): boolean {
  return [model, ...namedModules(model).map(([, node]) => node)].every((node) =>
    Object.values(hookCounts(node)).every((count) => count === 0),
  );
}

const mergeComposite = (): LrpComposite =>
  lrpComposites.epsilon({ canonizers: [lrpCanonizer.mergeBatchNorm()] });

describe('the batch-norm canonizer in the plan, and restoring', () => {
  it('declares each edit, keeps the output, and restores the weights bit for bit', () => {
    const model = bnCnn();
    const x = referenceInput('cnn');
    const before = weightValues(model);
    const output = (): tf.Tensor => model.predict(x) as tf.Tensor;
    const plainOutput = output();
    const method = lrp({ composite: mergeComposite(), target: { select: 3 } });
    const canonize = (path: string, detail: object): object => ({
      path,
      direction: null,
      operation: 'canonize',
      detail,
    });
    const edits = [
      canonize('conv1', { canonizer: 'merge-batch-norm', mergedFrom: 'bn1' }),
      canonize('bn1', { canonizer: 'merge-batch-norm', identity: true, mergedInto: 'conv1' }),
      canonize('conv2', { canonizer: 'merge-batch-norm', mergedFrom: 'bn2' }),
      canonize('bn2', { canonizer: 'merge-batch-norm', identity: true, mergedInto: 'conv2' }),
    ];
    expect(method.plan({}, model).hooks.filter((spec) => spec.operation === 'canonize')).toEqual(edits);
    // Without the model: one pattern per canonizer.
    expect(method.plan().hooks.filter((spec) => spec.operation === 'canonize')).toEqual([
      {
        path: '*',
        direction: null,
        operation: 'canonize',
        detail: { canonizer: 'merge-batch-norm', modules: 'the modules it edits', params: {} },
      },
    ]);
    {
      using prepared = method.prepare(model);
      expect(prepared.program.filter((spec) => spec.operation === 'canonize')).toEqual(edits);
      expect(weightValues(model)).not.toEqual(before);
      // The merged pair computes what the pair computed (float32 rounding of the merge apart).
      const canonizedOutput = output();
      expect(canonizedOutput).toBeCloseToTensor(plainOutput, { rtol: 1e-5, atol: 1e-6 });
      canonizedOutput.dispose();
    }
    expect(weightValues(model)).toEqual(before);
    expect(noHooks(model)).toBe(true);
    const restoredOutput = output();
    expect(restoredOutput).toBeCloseToTensor(plainOutput, { rtol: 0, atol: 0 });
    tf.dispose([x, plainOutput, restoredOutput]);
    model.dispose();
  });

  it('restores the weights when a run fails', () => {
    const model = bnMlp();
    const before = weightValues(model);
    using prepared = lrp({ composite: mergeComposite(), target: { select: 12 } }).prepare(model);
    using data = new TensorDict({ input: referenceInput('mlp') }, { batchShape: [4] });
    expect(() => prepared.run(data)).toThrowTdhookError('E_INVALID_VALUE', /out of range/);
    expect(prepared.active).toBe(false);
    expect(weightValues(model)).toEqual(before);
    model.dispose();
  });

  it.each([
    ['fc1', 'bias'], // after fc1's kernel is written
    ['bn1', 'movingVariance'], // after fc1 is merged and bn1's gamma, beta and mean are written
    ['fc2', 'kernel'], // after the first pair, before anything of the second
  ])('a write that fails at %s.%s leaves every weight as it was and frees what it made', (layer, field) => {
    const model = bnMlp();
    const before = weightValues(model);
    const fields = model.getLayer(layer) as unknown as Record<string, { read(): tf.Variable }>;
    const variable = fields[field]?.read() as tf.Variable;
    const failure = new Error(`${layer}.${field} cannot be written`);
    Object.defineProperty(variable, 'assign', {
      configurable: true,
      value: () => {
        throw failure;
      },
    });
    try {
      expect(() => lrp({ composite: mergeComposite(), target: { select: 3 } }).prepare(model)).toThrow(
        failure,
      );
    } finally {
      Reflect.deleteProperty(variable, 'assign');
    }
    expect(weightValues(model)).toEqual(before);
    expect(noHooks(model)).toBe(true);
    expect(Object.hasOwn(model.getLayer('bn1'), 'epsilon') && model.getLayer('bn1').getConfig().epsilon).toBe(
      bnEpsilon,
    );
    model.dispose();
  });

  it('restores the weights when a rule does not fit (nothing is applied)', () => {
    const model = bnMlp();
    const before = weightValues(model);
    expect(() =>
      lrp({
        composite: mergeComposite(),
        rules: { paths: { relu1: lrpRule.zPlus() } },
      }).prepare(model),
    ).toThrowTdhookError('E_INVALID_VALUE', "module 'relu1'");
    expect(weightValues(model)).toEqual(before);
    expect(noHooks(model)).toBe(true);
    model.dispose();
  });
});

describe('what the batch-norm canonizer merges', () => {
  /** x → conv (no bias) → bn → depthwise (no bias) → bn2 → relu → flatten → dense; an explicit merge in float64. */
  function functionalModel(): tfl.LayersModel {
    const input = tfl.input({ shape: [6, 6, 2] });
    const seed = (value: number): ReturnType<typeof tfl.initializers.glorotUniform> =>
      tfl.initializers.glorotUniform({ seed: value });
    const conv = tfl.layers
      .conv2d({
        filters: 3,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: seed(1),
        name: 'conv',
      })
      .apply(input) as tfl.SymbolicTensor;
    const bn1 = bn('bn1').apply(conv) as tfl.SymbolicTensor;
    const depthwise = tfl.layers
      .depthwiseConv2d({
        kernelSize: 3,
        depthMultiplier: 2,
        useBias: false,
        depthwiseInitializer: seed(2),
        name: 'depthwise',
      })
      .apply(bn1) as tfl.SymbolicTensor;
    const bn2 = bn('bn2').apply(depthwise) as tfl.SymbolicTensor;
    const relu = tfl.layers.activation({ activation: 'relu', name: 'relu' }).apply(bn2) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten({ name: 'flat' }).apply(relu) as tfl.SymbolicTensor;
    const logits = tfl.layers
      .dense({ units: 4, kernelInitializer: seed(3), name: 'logits' })
      .apply(flat) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: logits });
    for (const [name, channels] of [
      ['bn1', 3],
      ['bn2', 6],
    ] as const) {
      const { gamma, beta, mean, variance } = statistics(channels);
      const values = [gamma, beta, mean, variance].map((list) => tf.tensor1d(list));
      model.getLayer(name).setWeights(values);
      tf.dispose(values);
    }
    return model;
  }

  /** The same model without batch norms, its conv and depthwise weights merged in float64 here. */
  function explicitlyMerged(source: tfl.LayersModel): tfl.LayersModel {
    const input = tfl.input({ shape: [6, 6, 2] });
    const conv = tfl.layers
      .conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'conv' })
      .apply(input) as tfl.SymbolicTensor;
    const depthwise = tfl.layers
      .depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, name: 'depthwise' })
      .apply(conv) as tfl.SymbolicTensor;
    const relu = tfl.layers
      .activation({ activation: 'relu', name: 'relu' })
      .apply(depthwise) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten({ name: 'flat' }).apply(relu) as tfl.SymbolicTensor;
    const logits = tfl.layers.dense({ units: 4, name: 'logits' }).apply(flat) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: logits });
    for (const [layer, norm, channels] of [
      ['conv', 'bn1', 3],
      ['depthwise', 'bn2', 6],
    ] as const) {
      const { gamma, beta, mean, variance } = statistics(channels);
      const scale = gamma.map((g, c) => g / Math.sqrt((variance[c] as number) + bnEpsilon));
      const [kernel] = source.getLayer(layer).getWeights() as [tf.Tensor];
      expect(source.getLayer(norm).getWeights()).toHaveLength(4);
      // Output channel = the kernel's last axis for conv; in·multiplier + m (its last two axes) for depthwise.
      const w = Float32Array.from(kernel.dataSync(), (v, i) => v * (scale[i % channels] as number));
      const b = Float32Array.from(scale, (s, c) => (0 - (mean[c] as number)) * s + (beta[c] as number));
      const values = [tf.tensor(w, kernel.shape), tf.tensor1d(b)];
      model.getLayer(layer).setWeights(values);
      tf.dispose(values);
    }
    model.getLayer('logits').setWeights(source.getLayer('logits').getWeights());
    return model;
  }

  it('merges into layers without a bias (conv, depthwise) in a functional model, as an explicit merge', () => {
    const model = functionalModel();
    const merged = explicitlyMerged(model);
    const x = seededTensor([3, 6, 6, 2], 5, 2);
    const explain = (target: ModelNode, composite: LrpComposite): tf.Tensor => {
      using prepared = lrp({ composite, target: { select: 'argmax' } }).prepare(target);
      using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [3] });
      using result = prepared.run(data);
      return tf.clone(result.getTensor(['attr', 'input']));
    };
    const before = weightValues(model);
    const canonized = explain(
      model,
      lrpComposites.epsilonPlus({ canonizers: [lrpCanonizer.mergeBatchNorm()] }),
    );
    const expected = explain(merged, lrpComposites.epsilonPlus());
    expect(canonized).toBeCloseToTensor(expected, { rtol: 1e-4, atol: 1e-6 });
    expect(weightValues(model)).toEqual(before);
    expect(model.getLayer('conv').getConfig().useBias).toBe(false);
    tf.dispose([x, canonized, expected]);
    model.dispose();
    merged.dispose();
  });

  it('a layer without a bias whose kernel cannot be written keeps no lent bias and leaks nothing', () => {
    const model = functionalModel();
    const before = weightValues(model);
    const depthwise = model.getLayer('depthwise') as unknown as Record<string, { read(): tf.Variable }>;
    const variable = depthwise.depthwiseKernel?.read() as tf.Variable;
    Object.defineProperty(variable, 'assign', {
      configurable: true,
      value: () => {
        throw new Error('depthwise kernel cannot be written');
      },
    });
    try {
      expect(() =>
        lrp({
          composite: lrpComposites.epsilonPlus({ canonizers: [lrpCanonizer.mergeBatchNorm()] }),
          target: { select: 'argmax' },
        }).prepare(model),
      ).toThrow('depthwise kernel cannot be written');
    } finally {
      Reflect.deleteProperty(variable, 'assign');
    }
    expect(weightValues(model)).toEqual(before);
    for (const name of ['conv', 'depthwise']) {
      const layer = model.getLayer(name) as unknown as { readonly bias: unknown; readonly useBias: boolean };
      expect([layer.bias, layer.useBias]).toEqual([null, false]);
    }
    model.dispose();
  });

  it('leaves pairs alone that cannot be merged', () => {
    const input = tfl.input({ shape: [4] });
    const fused = tfl.layers
      .dense({ units: 4, activation: 'relu', name: 'fused' })
      .apply(input) as tfl.SymbolicTensor;
    const afterActivation = bn('afterActivation').apply(fused) as tfl.SymbolicTensor;
    const shared = tfl.layers
      .dense({ units: 4, name: 'shared' })
      .apply(afterActivation) as tfl.SymbolicTensor;
    const afterShared = bn('afterShared').apply(shared) as tfl.SymbolicTensor;
    const sum = tfl.layers.add({ name: 'sum' }).apply([afterShared, shared]) as tfl.SymbolicTensor;
    const afterSum = bn('afterSum').apply(sum) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: afterSum });
    // A fused activation, a layer whose output is read twice, a merge: none is a linear layer read only by the norm.
    expect(lrpCanonizer.mergeBatchNorm().edits(model)).toEqual([]);
    model.dispose();
  });

  it('undoes an applied edit that cannot be recorded (its plan entry differs), leaving the model as it was', () => {
    const model = referenceMlp();
    let calls = 0;
    // A canonizer whose edits differ between the plan and the install: the applied edit is not in the plan.
    const unstable = defineLrpCanonizer({
      name: 'acme/unstable',
      edits: (target) => {
        calls++;
        const layer = (target as tfl.LayersModel).getLayer('fc1');
        return [
          {
            path: 'fc1',
            detail: { call: calls },
            apply: () => {
              const saved = layer.getWeights().map((weight) => tf.clone(weight));
              const zeroed = [saved[0] as tf.Tensor, tf.zerosLike(saved[1] as tf.Tensor)];
              layer.setWeights(zeroed);
              tf.dispose(zeroed[1]);
              return () => {
                layer.setWeights(saved);
                tf.dispose(saved);
              };
            },
          },
        ];
      },
    });
    const before = weightValues(model);
    const method = lrp({
      composite: lrpComposites.epsilon({ canonizers: [unstable] }),
      target: { select: 3 },
    });
    expect(() => method.prepare(model)).toThrowTdhookError('E_CONTRACT', /which its plan does not declare/);
    expect(weightValues(model)).toEqual(before);
    expect(noHooks(model)).toBe(true);
    // Nothing stays claimed: LRP prepares again on the model.
    lrp({ composite: 'epsilon', target: { select: 3 } })
      .prepare(model)
      .restore();
    model.dispose();
  });

  it('runs a third-party canonizer: declared, applied, restored', () => {
    const model = referenceMlp();
    const zeroBiases = defineLrpCanonizer({
      name: 'acme/zero-biases',
      edits: (target) =>
        (target as tfl.LayersModel).layers
          .filter((layer) => layer.getClassName() === 'Dense')
          .map((layer) => ({
            path: layer.name,
            detail: { bias: 0 },
            apply: () => {
              const saved = layer.getWeights().map((weight) => tf.clone(weight));
              const zeroed = [saved[0] as tf.Tensor, tf.zerosLike(saved[1] as tf.Tensor)];
              layer.setWeights(zeroed);
              tf.dispose(zeroed[1]);
              return () => {
                layer.setWeights(saved);
                tf.dispose(saved);
              };
            },
          })),
    });
    const before = weightValues(model);
    const composite = lrpComposites.epsilon({ epsilon: 0, canonizers: [zeroBiases] });
    using prepared = lrp({ composite, target: { select: 3 }, checkConservation: { rtol: 1e-4 } }).prepare(
      model,
    );
    expect(prepared.program.filter((spec) => spec.operation === 'canonize').map((spec) => spec.path)).toEqual(
      ['fc1', 'fc2', 'fc3'],
    );
    // With zero biases, LRP-0 conserves relevance at every layer (the check would throw otherwise).
    using data = new TensorDict({ input: referenceInput('mlp') }, { batchShape: [4] });
    prepared.run(data).dispose();
    prepared.restore();
    expect(weightValues(model)).toEqual(before);
    model.dispose();
  });
});
