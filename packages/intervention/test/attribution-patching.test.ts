// attributionPatching on models other than the transformer (a tdhook Module, a tf.LayersModel), per-sample
// rows and batch shapes, the typed errors (before any model call where the input allows it), and restore.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { Lambda, Sequential, TensorDict, Workflow } from '@tdhook/core';
import { lrp } from '@tdhook/attribution';
import { isFusedQkvProjection, transformerLrpComposite } from '@tdhook/adapter-nlp';

import {
  attributionPatching,
  headPositionSites,
  headSites,
  logitDifference,
  siteGrid,
  unitSites,
  type PatchingMetric,
} from '../src/index.js';
import { reference, tokensOf, useTinyModel } from './gpt2-tiny-fixture.js';
import { installedHooks, Linear } from './method-models.js';

const tiny = useTinyModel();

/** Every hook on every module of the model: 0 once everything is restored. */
const seeded = (shape: number[], seed: number): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed);

/** fc1 (4 → 6) → relu → fc2 (6 → 3), and the same weights as a Layers model (hidden with relu, out). */
function twoModels(): {
  module: Sequential;
  fc1: Linear;
  layers: tfl.LayersModel;
  w2: tf.Tensor;
  b2: tf.Tensor;
} {
  const [w1, b1, w2, b2] = [
    seeded([4, 6], 1),
    seeded([6], 2),
    seeded([6, 3], 3),
    seeded([3], 4),
  ] as tf.Tensor[];
  const fc1 = new Linear(tf.clone(w1 as tf.Tensor), tf.clone(b1 as tf.Tensor));
  const module = new Sequential({
    fc1,
    relu: new Lambda('relu', (x: tf.Tensor) => tf.relu(x)),
    fc2: new Linear(tf.clone(w2 as tf.Tensor), tf.clone(b2 as tf.Tensor)),
  });
  const layers = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 6, activation: 'relu', inputShape: [4], name: 'hidden' }),
      tfl.layers.dense({ units: 3, name: 'out' }),
    ],
  });
  layers.getLayer('hidden').setWeights([w1 as tf.Tensor, b1 as tf.Tensor]);
  layers.getLayer('out').setWeights([w2 as tf.Tensor, b2 as tf.Tensor]);
  tf.dispose([w1, b1] as tf.Tensor[]);
  return { module, fc1, layers, w2: w2 as tf.Tensor, b2: b2 as tf.Tensor };
}

function disposeModels(models: ReturnType<typeof twoModels>): void {
  models.module.dispose();
  models.layers.dispose();
  tf.dispose([models.w2, models.b2]);
}

/** Clean rows, corrupted rows: [3, 4] each, seeded. */
function mlpData(): TensorDict {
  return new TensorDict(
    { input: seeded([3, 4], 10), patched: { input: seeded([3, 4], 11) } },
    { batchShape: [3] },
  );
}

const classDifference: PatchingMetric = (logits) =>
  tf.tidy(() =>
    tf.sub(
      tf.squeeze(tf.slice(logits, [0, 0], [-1, 1]), [1]),
      tf.squeeze(tf.slice(logits, [0, 2], [-1, 1]), [1]),
    ),
  );

/** AtP by hand for the MLP: Δh ⊙ (W2[:, 0] − W2[:, 2]) per hidden unit ([rows, 6]); the gradient is constant. */
function mlpAtpByHand(data: TensorDict, w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const hidden = (x: tf.Tensor): tf.Tensor => tf.relu(tf.add(tf.matMul(x, w1), b1));
    const delta = tf.sub(hidden(data.getTensor('input')), hidden(data.getTensor(['patched', 'input'])));
    const gradient = tf.sub(tf.slice(w2, [0, 0], [-1, 1]), tf.slice(w2, [0, 2], [-1, 1]));
    return tf.mul(delta, tf.reshape(gradient, [1, 6]));
  });
}

describe(`attributionPatching on any hookable model (${tf.getBackend()})`, () => {
  it('a tdhook Module and a tf.LayersModel: AtP per hidden unit equals Δh ⊙ ∂metric/∂h by hand, per row', () => {
    const models = twoModels();
    using data = mlpData();
    const wanted = mlpAtpByHand(data, models.fc1.kernel, models.fc1.bias, models.w2);
    for (const [model, path] of [
      [models.module, 'relu'],
      [models.layers, 'hidden'],
    ] as const) {
      const sites = unitSites({ path, indices: [0, 1, 2, 3, 4, 5] });
      using prepared = attributionPatching({ sites, metric: classDifference }).prepare(model);
      using result = prepared.run(data);
      expect(result.getTensor(['atp', 'estimate']), path).toBeCloseToTensor(wanted, {
        atol: 1e-6,
        rtol: 1e-6,
      });
      prepared.restore();
      expect(installedHooks(model)).toBe(0);
    }
    wanted.dispose();
    disposeModels(models);
  });

  it("RelP with the named composite 'epsilon' on a tf.LayersModel: Σ Δ ⊙ the signal LRP propagates to the site (lrp's module result; there a relevance)", () => {
    const models = twoModels();
    using data = mlpData();
    const sites = unitSites({ path: 'hidden', indices: [0, 1, 2, 3, 4, 5] });
    using prepared = attributionPatching({
      sites,
      metric: classDifference,
      method: 'relp',
      composite: 'epsilon',
    }).prepare(models.layers);
    using result = prepared.run(data);
    const relp = result.getTensor(['relp', 'estimate']);
    prepared.restore();
    // What lrp returns at the module on the corrupted rows, for the same explained function.
    using corrupted = new TensorDict(
      { input: tf.clone(data.getTensor(['patched', 'input'])) },
      { batchShape: [3] },
    );
    using lrpPrepared = lrp({
      composite: 'epsilon',
      inputs: [],
      modules: ['hidden'],
      target: { select: (logits) => classDifference(logits, [logits]) },
      warnOnMissingRule: false,
    }).prepare(models.layers);
    using lrpResult = lrpPrepared.run(corrupted);
    const signal = lrpResult.getTensor(['attr', 'hidden']);
    const wanted = tf.tidy(() => {
      const hidden = tf.relu(
        tf.add(
          tf.matMul(data.getTensor('input'), models.layers.getLayer('hidden').getWeights()[0] as tf.Tensor),
          models.layers.getLayer('hidden').getWeights()[1] as tf.Tensor,
        ),
      );
      const receiving = tf.relu(
        tf.add(
          tf.matMul(
            data.getTensor(['patched', 'input']),
            models.layers.getLayer('hidden').getWeights()[0] as tf.Tensor,
          ),
          models.layers.getLayer('hidden').getWeights()[1] as tf.Tensor,
        ),
      );
      return tf.mul(tf.sub(hidden, receiving), signal);
    });
    expect(relp).toBeCloseToTensor(wanted, { atol: 1e-6, rtol: 1e-5 });
    // ε-LRP's signal at h is h ⊙ W2ᵀ(g / stab(z)) (zennit's relevance, g the metric's output gradient).
    const byHand = tf.tidy(() => {
      const receiving = tf.relu(
        tf.add(
          tf.matMul(
            data.getTensor(['patched', 'input']),
            models.layers.getLayer('hidden').getWeights()[0] as tf.Tensor,
          ),
          models.layers.getLayer('hidden').getWeights()[1] as tf.Tensor,
        ),
      );
      const z = tf.add(tf.matMul(receiving, models.w2), models.b2);
      const stab = tf.add(z, tf.mul(tf.sub(tf.mul(tf.cast(tf.greaterEqual(z, 0), 'float32'), 2), 1), 1e-6));
      const g = tf.tensor2d([[1, 0, -1]]);
      return tf.mul(receiving, tf.matMul(tf.div(g, stab), models.w2, false, true));
    });
    expect(signal).toBeCloseToTensor(byHand, { atol: 1e-6, rtol: 1e-5 });
    tf.dispose([wanted, byHand]);
    lrpPrepared.restore();
    expect(installedHooks(models.layers)).toBe(0);
    disposeModels(models);
  });

  it('rows are independent: each row of a batch gets its own estimate; any batch shape', () => {
    const models = twoModels();
    using data = mlpData();
    const sites = unitSites({ path: 'relu', indices: [0, 1, 2, 3, 4, 5] });
    using prepared = attributionPatching({ sites, metric: classDifference }).prepare(models.module);
    using whole = prepared.run(data);
    for (const row of [0, 2]) {
      using one = new TensorDict(
        {
          input: tf.slice(data.getTensor('input'), [row, 0], [1, -1]),
          patched: { input: tf.slice(data.getTensor(['patched', 'input']), [row, 0], [1, -1]) },
        },
        { batchShape: [1] },
      );
      using single = prepared.run(one);
      const expectedRow = tf.slice(whole.getTensor(['atp', 'estimate']), [row, 0], [1, -1]);
      expect(single.getTensor(['atp', 'estimate'])).toBeCloseToTensor(expectedRow, { atol: 1e-7, rtol: 0 });
      expectedRow.dispose();
    }
    // Batch shape [3, 1]: the estimate is [3, 1, 6] with the same numbers.
    using nested = new TensorDict(
      {
        input: tf.reshape(data.getTensor('input'), [3, 1, 4]),
        patched: { input: tf.reshape(data.getTensor(['patched', 'input']), [3, 1, 4]) },
      },
      { batchShape: [3, 1] },
    );
    using deep = prepared.run(nested);
    expect(deep.getTensor(['atp', 'estimate']).shape).toEqual([3, 1, 6]);
    expect(deep.getTensor(['atp', 'source_metric']).shape).toEqual([3, 1]);
    expect(deep.getTensor(['atp', 'estimate']).dataSync()).toEqual(
      whole.getTensor(['atp', 'estimate']).dataSync(),
    );
    prepared.restore();
    disposeModels(models);
  });

  it('a (layer, head, position) grid of gpt2-tiny sums to the head grid over positions', () => {
    const { clean, corrupted, clean_answer: answer, corrupt_answer: versus } = reference().patching_inputs;
    using data = new TensorDict(
      { input: tokensOf(clean), patched: { input: tokensOf(corrupted) } },
      { batchShape: [1] },
    );
    const metric = logitDifference({ answer, versus });
    using heads = attributionPatching({ sites: headSites(tiny().config), metric }).prepare(tiny());
    using headResult = heads.run(data);
    heads.restore();
    using cells = attributionPatching({
      sites: headPositionSites(tiny().config, { positions: 12 }),
      metric,
    }).prepare(tiny());
    using cellResult = cells.run(data);
    const cellEstimate = cellResult.getTensor(['atp', 'estimate']);
    expect(cellEstimate.shape).toEqual([1, 2, 4, 12]);
    const summed = tf.sum(cellEstimate, 3);
    expect(summed).toBeCloseToTensor(headResult.getTensor(['atp', 'estimate']), { atol: 1e-6, rtol: 0 });
    summed.dispose();
  });
});

describe('attributionPatching in a Workflow', () => {
  it('AtP and RelP as two steps of one workflow: each result under its key, equal to the methods run alone; describe() names LRP’s rules', () => {
    const { clean, corrupted, clean_answer: answer, corrupt_answer: versus } = reference().patching_inputs;
    using data = new TensorDict(
      { input: tokensOf(clean), patched: { input: tokensOf(corrupted) } },
      { batchShape: [1] },
    );
    const metric = logitDifference({ answer, versus });
    const sites = headSites(tiny().config);
    const relpOptions = { sites, metric, method: 'relp', composite: transformerLrpComposite() } as const;
    const workflow = new Workflow([attributionPatching({ sites, metric }), attributionPatching(relpOptions)]);
    const { data: result, plan } = workflow.run(tiny(), data);
    expect(plan.modelPasses).toBe(4);
    using alone = attributionPatching(relpOptions).prepare(tiny());
    using relp = alone.run(data);
    alone.restore();
    expect(result.getTensor(['relp', 'estimate'])).toBeCloseToTensor(relp.getTensor(['relp', 'estimate']), {
      atol: 0,
      rtol: 0,
    });
    expect(result.getTensor(['atp', 'estimate']).shape).toEqual([1, 2, 4]);
    expect(result.getTensor('output').shape).toEqual([1, 12, 96]); // the clean run's logits
    result.dispose();
    expect(installedHooks(tiny())).toBe(0);
    const described = JSON.stringify(
      attributionPatching(relpOptions).describe({
        model: tiny(),
        callbackIds: new Map<unknown, string>([
          [metric, 'logit-difference'],
          [isFusedQkvProjection, 'fused-qkv'],
        ]),
      }),
    );
    expect(described).toContain('"operation":"lrp-rule"');
    expect(described).toContain('"rule":"attention-value"');
  });
});

describe('attributionPatching: typed errors, before any model call where the input allows it; the model restored', () => {
  const sites = (): ReturnType<typeof headSites> => headSites(tiny().config);
  const metric = logitDifference({ answer: 51, versus: 61 });

  /** A metric that counts its calls: each call is one model pass. */
  function counting(): { metric: PatchingMetric; calls: () => number } {
    let calls = 0;
    return {
      metric: (output, outputs) => {
        calls += 1;
        return metric(output, outputs);
      },
      calls: () => calls,
    };
  }

  it('bad options are InvalidValueErrors at the factory', () => {
    expect(() => attributionPatching({ sites: sites(), metric, method: 'relp' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /RelP needs the LRP rules.*transformerLrpComposite/,
    );
    expect(() => attributionPatching({ sites: sites(), metric, composite: 'epsilon' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /method is 'atp'/,
    );
    expect(() => attributionPatching({ sites: sites(), metric, method: 'ig' as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /method must be 'atp' or 'relp'/,
    );
    expect(() =>
      attributionPatching({ sites: sites(), metric, method: 'relp', composite: 'nope' as never }),
    ).toThrowTdhookError('E_INVALID_VALUE', /Unknown composite "nope"/);
    expect(() => attributionPatching({ sites: sites(), metric: 3 as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /metric must be a function/,
    );
    expect(() => attributionPatching({ metric } as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /sites is missing/,
    );
    expect(() =>
      attributionPatching({ sites: { axes: [{ name: 'a', labels: ['0'] }], shape: [1], sites: [] }, metric }),
    ).toThrowTdhookError('E_INVALID_VALUE', /1 cells but 0 sites/);
  });

  it('an unknown site path is an UnknownPathError at prepare; nothing is installed', () => {
    const bad = siteGrid({
      axes: [{ name: 'site', labels: ['x'] }],
      sites: [{ path: 'blocks.0.attn.hook_zz', units: [], label: 'x' }],
    });
    expect(() => attributionPatching({ sites: bad, metric }).prepare(tiny())).toThrowTdhookError(
      'E_UNKNOWN_PATH',
    );
    expect(installedHooks(tiny())).toBe(0);
  });

  it('missing corrupted inputs, different shapes: typed errors before any model call; the model restored', () => {
    const count = counting();
    const cases: [TensorDict, string, RegExp][] = [
      [
        new TensorDict({ input: tokensOf([[1, 2, 3]]) }, { batchShape: [1] }),
        'E_MISSING_KEY',
        /receiving \(corrupted\) run.*"patched","input"\] is missing.*set patchKey/,
      ],
      [
        new TensorDict({ corrupt: { input: tokensOf([[1, 2, 3]]) } }, { batchShape: [1] }),
        'E_MISSING_KEY',
        /source \(clean\) run/,
      ],
      [
        new TensorDict(
          { input: tokensOf([[1, 2, 3]]), patched: { input: tokensOf([[1, 2, 3, 4]]) } },
          { batchShape: [1] },
        ),
        'E_SHAPE_MISMATCH',
        /int32 \[1, 3\] but the corrupted .* int32 \[1, 4\]/,
      ],
    ];
    for (const [data, code, message] of cases) {
      const prepared = attributionPatching({ sites: sites(), metric: count.metric }).prepare(tiny());
      expect(() => prepared.run(data)).toThrowTdhookError(code, message);
      prepared.restore();
      data.dispose();
      expect(installedHooks(tiny())).toBe(0);
    }
    expect(count.calls()).toBe(0);
  });

  it('a metric that does not return one number per row fails on the first (clean) output, before the corrupted run', () => {
    let calls = 0;
    const reduced: PatchingMetric = (output) => {
      calls += 1;
      return tf.sum(output);
    };
    using prepared = attributionPatching({ sites: sites(), metric: reduced }).prepare(tiny());
    using data = new TensorDict(
      { input: tokensOf([[1, 2, 3]]), patched: { input: tokensOf([[1, 2, 4]]) } },
      { batchShape: [1] },
    );
    expect(() => prepared.run(data)).toThrowTdhookError('E_SHAPE_MISMATCH', /Do not reduce over the batch/);
    expect(calls).toBe(1);
    prepared.restore();
    expect(installedHooks(tiny())).toBe(0);
  });

  it('a unit outside the hooked value fails after the clean run, before the corrupted run; an error inside a RelP run restores the model (rules included) and leaves nothing behind', () => {
    const count = counting();
    const outside = siteGrid({
      axes: [{ name: 'head', labels: ['9'] }],
      sites: [{ path: 'blocks.0.attn.hook_z', units: [{ axis: 2, index: 9 }], label: 'L0H9' }],
    });
    using prepared = attributionPatching({ sites: outside, metric: count.metric }).prepare(tiny());
    using data = new TensorDict(
      { input: tokensOf([[1, 2, 3]]), patched: { input: tokensOf([[1, 2, 4]]) } },
      { batchShape: [1] },
    );
    expect(() => prepared.run(data)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /L0H9.*index 9 on axis 2 of size 4/,
    );
    expect(count.calls()).toBe(1);
    // A metric that throws on the corrupted run: the error comes through, the model is restored by restore().
    let runs = 0;
    const failing: PatchingMetric = (output, outputs) => {
      runs += 1;
      if (runs === 2) throw new Error('metric failed');
      return metric(output, outputs);
    };
    using failingPrepared = attributionPatching({
      sites: sites(),
      metric: failing,
      method: 'relp',
      composite: transformerLrpComposite(),
    }).prepare(tiny());
    expect(() => failingPrepared.run(data)).toThrow('metric failed');
    expect(installedHooks(tiny())).toBe(0);
    failingPrepared.restore();
    prepared.restore();
    expect(installedHooks(tiny())).toBe(0);
  });

  it('describe() lists the captures and, for RelP, LRP’s rule hooks', () => {
    const plain = attributionPatching({ sites: sites(), metric }).plan({}, tiny());
    expect(plain.hooks.map((spec) => `${spec.path}:${spec.operation}`)).toEqual([
      'blocks.0.attn.hook_z:capture',
      'blocks.1.attn.hook_z:capture',
    ]);
    expect(plain.outKeys).toEqual([
      ['output'],
      ['atp', 'estimate'],
      ['atp', 'source_metric'],
      ['atp', 'baseline_metric'],
    ]);
    expect(plain.inKeys).toEqual([['input'], ['patched', 'input']]);
    const relp = attributionPatching({
      sites: sites(),
      metric,
      method: 'relp',
      composite: transformerLrpComposite(),
    }).plan({}, tiny());
    const rules = relp.hooks.filter((spec) => spec.operation === 'lrp-rule').map((spec) => spec.path);
    // LayerNorms (ln1, ln2 per block, ln_final), c_attn per block, the MLP activation per block.
    expect(rules).toHaveLength(9);
    expect(rules).toContain('blocks.0.attn.c_attn');
    expect(relp.hooks.slice(-2).map((spec) => spec.operation)).toEqual(['capture', 'capture']);
  });
});
