// The lrp method: what it installs and restores, how rules are mapped, the options it validates, latent
// sources, and the layer types it supports (checked by an identity: with zero biases and ε → 0, LRP on a
// ReLU network times the explained logit equals input × gradient).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it, vi } from 'vitest';
import { namedModules, TensorDict, type ModelNode } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';
import { seededTensor } from '@tdhook/testing';

import { lrp, lrpRule, mapLrpRules, saliency, type LrpOptions } from '../src/index.js';
import { ModuleMlp, referenceCnn, referenceInput, referenceMlp } from './reference-models.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

function noHooks(model: ModelNode): boolean {
  return [model, ...namedModules(model).map(([, node]) => node)].every((node) =>
    Object.values(hookCounts(node)).every((count) => count === 0),
  );
}

function predict(model: tfl.LayersModel, x: tf.Tensor): Float32Array {
  return tf.tidy(() => Float32Array.from((model.predict(x) as tf.Tensor).dataSync()));
}

function runLrp(model: ModelNode, options: LrpOptions, x: tf.Tensor): TensorDict {
  using prepared = lrp(options).prepare(model);
  using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [x.shape[0]] });
  return prepared.run(data);
}

describe('installing and restoring', () => {
  it('leaves the model output unchanged and restores the model exactly', () => {
    const model = referenceCnn();
    const x = referenceInput('cnn');
    const before = predict(model, x);
    {
      using prepared = lrp({ composite: 'epsilonPlus', target: { select: 'argmax' } }).prepare(model);
      expect(prepared.program).toContainEqual({ path: '', direction: null, operation: 'lrp-claim' });
      expect(prepared.program).toContainEqual({
        path: 'conv1',
        direction: 'forward',
        operation: 'lrp-rule',
        prepend: true,
        detail: { params: { stabilizer: 1e-6 }, rule: 'z-plus', source: 'composite' },
      });
      expect(noHooks(model)).toBe(false);
      expect(predict(model, x)).toBeCloseToTensor(before, { rtol: 0, atol: 0 });
      using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [4] });
      using result = prepared.run(data);
      expect(result.getTensor(['output']).dataSync()).toBeCloseToTensor(before, { rtol: 0, atol: 0 });
      prepared.restore();
      expect(noHooks(model)).toBe(true);
    }
    expect(predict(model, x)).toBeCloseToTensor(before, { rtol: 0, atol: 0 });
    x.dispose();
    model.dispose();
  });

  it('restores the model when a run fails (a conservation check)', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    const before = predict(model, x);
    using prepared = lrp({
      composite: 'epsilon',
      target: { select: 'argmax' },
      checkConservation: { rtol: 1e-9, atol: 1e-9 },
    }).prepare(model);
    using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [4] });
    expect(() => prepared.run(data)).toThrowTdhookError('E_ATTRIBUTION_CONSERVATION', /module 'fc\d'/);
    expect(prepared.active).toBe(false);
    expect(noHooks(model)).toBe(true);
    expect(predict(model, x)).toBeCloseToTensor(before, { rtol: 0, atol: 0 });
    x.dispose();
    model.dispose();
  });

  it('changes nothing when the mapper throws (it runs when the plan is made)', () => {
    const model = referenceMlp();
    const ruleMapper = (path: string): undefined => {
      if (path === 'fc3') throw new Error('mapper failed at fc3');
      return undefined;
    };
    expect(() => lrp({ composite: 'epsilon', ruleMapper }).prepare(model)).toThrow('mapper failed at fc3');
    expect(noHooks(model)).toBe(true);
    model.dispose();
  });

  it('refuses a rule that does not fit its module when preparing, and installs nothing', () => {
    const model = referenceMlp();
    expect(() =>
      lrp({ composite: 'epsilon', rules: { paths: { relu1: lrpRule.zPlus() } } }).prepare(model),
    ).toThrowTdhookError('E_INVALID_VALUE', "module 'relu1'");
    expect(() => lrp({ rules: { paths: { fc1: lrpRule.layerNorm() } } }).prepare(model)).toThrowTdhookError(
      'E_INVALID_VALUE',
      'layer-norm',
    );
    expect(noHooks(model)).toBe(true);
    model.dispose();
  });

  it('applies its rules inside a plain tf.grad too, leaving the tape intact', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    const expected = runLrp(model, { composite: 'epsilon', target: { select: 3 } }, x);
    {
      using _prepared = lrp({ composite: 'epsilon', target: { select: 3 } }).prepare(model);
      const relevance = tf.grad((input: tf.Tensor) =>
        tf.sum(tf.slice(model.apply(input) as tf.Tensor, [0, 3], [4, 1])),
      )(x);
      expect(relevance).toBeCloseToTensor(expected.getTensor(['attr', 'input']), { rtol: 1e-5, atol: 1e-7 });
      relevance.dispose();
    }
    expected.dispose();
    x.dispose();
    model.dispose();
  });
});

describe('rule mapping', () => {
  it('maps the zennit base rules and the composite (EpsilonPlus on the reference CNN)', () => {
    const model = referenceCnn();
    const rules = mapLrpRules(model, { composite: 'epsilonPlus' }).map(({ path, kind, rule }) => [
      path,
      kind,
      rule?.name,
    ]);
    expect(rules).toEqual([
      ['conv1', 'convolution', 'z-plus'],
      ['relu1', 'activation', 'pass'],
      ['pool1', 'max-pool', 'ignore'],
      ['conv2', 'convolution', 'z-plus'],
      ['relu2', 'activation', 'pass'],
      ['gap', 'average-pool', 'norm'],
      ['fc', 'dense', 'epsilon'],
    ]);
    model.dispose();
  });

  it('maps batch norm, merges, reshapes and dropout; leaves softmax, layer norm and unknown layers to the user', () => {
    const input = tfl.input({ shape: [4] });
    const dense = tfl.layers.dense({ units: 4, name: 'dense' }).apply(input) as tfl.SymbolicTensor;
    const bn = tfl.layers.batchNormalization({ name: 'bn' }).apply(dense) as tfl.SymbolicTensor;
    const sum = tfl.layers.add({ name: 'sum' }).apply([bn, input]) as tfl.SymbolicTensor;
    const product = tfl.layers.multiply({ name: 'product' }).apply([sum, input]) as tfl.SymbolicTensor;
    const norm = tfl.layers.layerNormalization({ name: 'norm' }).apply(product) as tfl.SymbolicTensor;
    const drop = tfl.layers.dropout({ rate: 0.1, name: 'drop' }).apply(norm) as tfl.SymbolicTensor;
    const shaped = tfl.layers
      .reshape({ targetShape: [2, 2], name: 'shaped' })
      .apply(drop) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten({ name: 'flat' }).apply(shaped) as tfl.SymbolicTensor;
    const probabilities = tfl.layers.softmax({ name: 'probabilities' }).apply(flat) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: probabilities });
    const mapping = mapLrpRules(model, {
      composite: 'epsilon',
      rules: { types: { LayerNormalization: lrpRule.layerNorm() }, paths: { product: lrpRule.stop() } },
      skip: ['probabilities'],
    });
    expect(mapping.map(({ path, rule, source }) => [path, rule?.name, source])).toEqual([
      ['dense', 'epsilon', 'composite'],
      ['bn', 'pass', 'composite'],
      ['sum', 'norm', 'composite'],
      ['product', 'stop', 'path'],
      ['norm', 'layer-norm', 'type'],
      ['drop', 'ignore', 'composite'],
      ['shaped', 'ignore', 'composite'],
      ['flat', 'ignore', 'composite'],
      ['probabilities', undefined, 'skip'],
    ]);
    expect(
      mapLrpRules(model, { composite: 'epsilon' })
        .filter(({ rule }) => rule === undefined)
        .map(({ path }) => path),
    ).toEqual(['product', 'norm', 'probabilities']);
    model.dispose();
  });

  it('lets a path win over a type and a type over the composite', () => {
    const model = referenceMlp();
    const mapping = mapLrpRules(model, {
      composite: 'epsilon',
      rules: {
        types: { Dense: lrpRule.zPlus(), activation: lrpRule.ignore() },
        paths: { fc1: lrpRule.flat() },
      },
    });
    expect(mapping.map(({ rule }) => rule?.name)).toEqual(['flat', 'ignore', 'z-plus', 'ignore', 'z-plus']);
    model.dispose();
  });

  it('refuses rules.paths keys and skip entries that name no module, saying what was meant', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    const before = predict(model, x);
    const misspelt = { composite: 'epsilon', rules: { paths: { fc_1: lrpRule.flat() } } } as const;
    for (const attempt of [
      () => mapLrpRules(model, misspelt),
      () => lrp(misspelt).plan({}, model),
      () => lrp(misspelt).prepare(model),
    ]) {
      expect(attempt).toThrowTdhookError(
        'E_UNKNOWN_PATH',
        /LRP rules.paths names 'fc_1', which is no module of the model \(at attribution\/lrp rules.paths\['fc_1'\]\).*Did you mean fc1\? Children of Sequential '.*': fc1, relu1, fc2, relu2, fc3\./,
      );
    }
    expect(() => lrp({ composite: 'epsilon', skip: ['fc2', 'fc9'] }).prepare(model)).toThrowTdhookError(
      'E_UNKNOWN_PATH',
      /LRP skip names 'fc9', which is no module of the model \(at attribution\/lrp skip\[1\]\).*Did you mean fc1\?/,
    );
    // A path that resolves to a module, written another way: the error says how plans write it.
    expect(() => mapLrpRules(model, { composite: 'epsilon', skip: ['[0]'] })).toThrowTdhookError(
      'E_UNKNOWN_PATH',
      /It resolves to 'fc1': write the path as mapLrpRules and namedModules list it/,
    );
    // Nothing was installed; without a model there is nothing to check against.
    expect(noHooks(model)).toBe(true);
    expect(predict(model, x)).toEqual(before);
    expect(lrp(misspelt).plan().hooks.length).toBeGreaterThan(0);
    x.dispose();
    model.dispose();
  });

  it('warns once per module without a rule, unless told not to or the module is skipped', () => {
    const model = new ModuleMlp(); // plain Dense Modules: no forwardWith, so no rule for them
    const x = referenceInput('mlp');
    const warnings: string[] = [];
    runLrp(
      model,
      { composite: 'epsilon', target: { select: 3 }, onWarning: (m) => warnings.push(m) },
      x,
    ).dispose();
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/No LRP rule for module 'fc1' \(Dense\)/);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    runLrp(model, { composite: 'epsilon', target: { select: 3 } }, x).dispose();
    expect(warn).toHaveBeenCalledTimes(3);
    runLrp(model, { composite: 'epsilon', target: { select: 3 }, warnOnMissingRule: false }, x).dispose();
    runLrp(model, { composite: 'epsilon', target: { select: 3 }, skip: ['fc1', 'fc2', 'fc3'] }, x).dispose();
    expect(warn).toHaveBeenCalledTimes(3);
    warn.mockRestore();
    x.dispose();
    model.dispose();
  });
});

describe('options', () => {
  it('validates rules and options with typed errors', () => {
    expect(() => lrpRule.alphaBeta(1, 1)).toThrowTdhookError('E_INVALID_VALUE', 'alpha − beta = 1');
    expect(() => lrpRule.alphaBeta(-1, -2)).toThrowTdhookError('E_INVALID_VALUE', '≥ 0');
    expect(() => lrpRule.epsilon(Number.NaN)).toThrowTdhookError('E_INVALID_VALUE');
    expect(() => lrp({})).toThrowTdhookError('E_INVALID_VALUE', 'LRP needs rules');
    expect(() => lrp({ composite: 'nope' as 'epsilon' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      'Unknown composite',
    );
    expect(() => lrp({ rules: { paths: { fc1: { rule: 'epsilon' } as never } } })).toThrowTdhookError(
      'E_INVALID_VALUE',
      'Expected an LRP rule, got the plain object',
    );
    expect(() => lrp({ rules: { types: { dense: 'epsilon' as never } } })).toThrowTdhookError(
      'E_INVALID_VALUE',
      "rules.types['dense']",
    );
    expect(() => lrp({ composite: 'epsilon', epsilon: -1 })).toThrowTdhookError('E_INVALID_VALUE', 'epsilon');
    expect(() => lrp({ composite: 'epsilon', checkConservation: { rtol: -1 } })).toThrowTdhookError(
      'E_INVALID_VALUE',
    );
    expect(() => lrp({ composite: 'epsilon', skip: 'fc1' as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      'skip',
    );
    expect(() => lrp({ composite: 'epsilon', target: { select: -1 } })).toThrowTdhookError('E_INVALID_VALUE');
  });
});

describe('sources and targets', () => {
  it('attributes to a module output alone (inputs: [], modules: ["fc1"])', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    using prepared = lrp({
      composite: 'epsilon',
      target: { select: 'argmax' },
      inputs: [],
      modules: ['fc1'],
    }).prepare(model);
    using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [4] });
    using result = prepared.run(data);
    expect(result.has(['attr', 'fc1'])).toBe(true);
    expect(result.has(['attr', 'input'])).toBe(false);
    expect(result.getTensor(['attr', 'fc1']).shape).toEqual([4, 64]);
    x.dispose();
    model.dispose();
  });

  it('gives the relevance of a module output, from which its rule gives the input relevance', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    using result = runLrp(model, { composite: 'epsilon', target: { select: 'argmax' }, modules: ['fc1'] }, x);
    // ε-rule of fc1 applied to the relevance of fc1's output: x ⊙ (R / stab(z)) · Wᵀ.
    const expected = tf.tidy(() => {
      const [kernel, bias] = model.getLayer('fc1').getWeights() as [tf.Tensor2D, tf.Tensor];
      const z = tf.add(tf.matMul(x as tf.Tensor2D, kernel), bias);
      const stabilised = tf.add(
        z,
        tf.mul(tf.sub(tf.mul(tf.cast(tf.greaterEqual(z, 0), 'float32'), 2), 1), 1e-6),
      );
      const share = tf.div(result.getTensor(['attr', 'fc1']), stabilised);
      return tf.mul(x, tf.matMul(share as tf.Tensor2D, kernel, false, true));
    });
    expect(result.getTensor(['attr', 'input'])).toBeCloseToTensor(expected, { rtol: 1e-4, atol: 1e-7 });
    expected.dispose();
    x.dispose();
    model.dispose();
  });

  it('explains several named targets in one pass, each as it would alone; chunks change nothing', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    using both = runLrp(
      model,
      {
        composite: 'zPlus',
        targets: { three: { select: 3 }, predicted: { select: 'argmax' } },
        chunkSize: 3,
      },
      x,
    );
    for (const [name, select] of [
      ['three', 3],
      ['predicted', 'argmax'],
    ] as const) {
      using alone = runLrp(model, { composite: 'zPlus', target: { select } }, x);
      expect(both.getTensor(['attr', name, 'input'])).toBeCloseToTensor(alone.getTensor(['attr', 'input']), {
        rtol: 1e-5,
        atol: 1e-8,
      });
    }
    x.dispose();
    model.dispose();
  });
});

describe('layer support', () => {
  /** Conv (strides 2, fused relu), depthwise conv, batch norm, ReLU, Add, max and average pooling,
   * Concatenate, Flatten, Dropout, Dense (fused relu), Activation, Dense; no biases, zero batch-norm shift. */
  function mixedModel(): tfl.LayersModel {
    const seed = (value: number): ReturnType<typeof tfl.initializers.glorotUniform> =>
      tfl.initializers.glorotUniform({ seed: value });
    const input = tfl.input({ shape: [8, 8, 2] });
    const conv = tfl.layers
      .conv2d({
        filters: 4,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        useBias: false,
        kernelInitializer: seed(1),
        name: 'conv',
      })
      .apply(input) as tfl.SymbolicTensor;
    const depthwise = tfl.layers
      .depthwiseConv2d({
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        depthwiseInitializer: seed(2),
        name: 'depthwise',
      })
      .apply(conv) as tfl.SymbolicTensor;
    const bn = tfl.layers.batchNormalization({ name: 'bn' }).apply(depthwise) as tfl.SymbolicTensor;
    const relu = tfl.layers.reLU({ name: 'relu' }).apply(bn) as tfl.SymbolicTensor;
    const sum = tfl.layers.add({ name: 'sum' }).apply([relu, conv]) as tfl.SymbolicTensor;
    const maxPool = tfl.layers
      .maxPooling2d({ poolSize: 2, name: 'maxpool' })
      .apply(sum) as tfl.SymbolicTensor;
    const avgPool = tfl.layers
      .averagePooling2d({ poolSize: 2, name: 'avgpool' })
      .apply(sum) as tfl.SymbolicTensor;
    const joined = tfl.layers.concatenate({ name: 'concat' }).apply([maxPool, avgPool]) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten({ name: 'flatten' }).apply(joined) as tfl.SymbolicTensor;
    const dropped = tfl.layers.dropout({ rate: 0.5, name: 'dropout' }).apply(flat) as tfl.SymbolicTensor;
    const hidden = tfl.layers
      .dense({ units: 6, activation: 'relu', useBias: false, kernelInitializer: seed(3), name: 'hidden' })
      .apply(dropped) as tfl.SymbolicTensor;
    const activated = tfl.layers
      .activation({ activation: 'relu', name: 'act' })
      .apply(hidden) as tfl.SymbolicTensor;
    const logits = tfl.layers
      .dense({ units: 3, useBias: false, kernelInitializer: seed(4), name: 'logits' })
      .apply(activated) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: logits });
    const gamma = seededTensor([4], 5, 1);
    const scale = tf.tidy(() => tf.add(tf.abs(gamma), 0.5));
    const variance = tf.tidy(() => tf.add(tf.abs(seededTensor([4], 6, 1)), 0.5));
    const zeros = tf.zeros([4]);
    model.getLayer('bn').setWeights([scale, zeros, zeros, variance]);
    tf.dispose([gamma, scale, variance, zeros]);
    return model;
  }

  /** Conv1D (fused ReLU), Dense on a sequence, average pooling 1D, global average pooling 1D, Dense. */
  function sequenceModel(): tfl.LayersModel {
    const seed = (value: number): ReturnType<typeof tfl.initializers.glorotUniform> =>
      tfl.initializers.glorotUniform({ seed: value });
    return tfl.sequential({
      layers: [
        tfl.layers.conv1d({
          filters: 4,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          useBias: false,
          inputShape: [8, 2],
          kernelInitializer: seed(11),
          name: 'conv',
        }),
        tfl.layers.dense({
          units: 5,
          activation: 'relu',
          useBias: false,
          kernelInitializer: seed(12),
          name: 'mix',
        }),
        tfl.layers.averagePooling1d({ poolSize: 2, name: 'avgpool' }),
        tfl.layers.globalAveragePooling1d({ name: 'gap' }),
        tfl.layers.dense({ units: 3, useBias: false, kernelInitializer: seed(13), name: 'logits' }),
      ],
    });
  }

  it.each([
    ['conv, depthwise, batch norm, pooling, merges, reshapes, dense', mixedModel, [3, 8, 8, 2]],
    ['Conv1D, Dense on sequences, 1D pooling', sequenceModel, [3, 8, 2]],
  ] as const)('LRP-0 × logit equals input × gradient on %s', (_, build, shape) => {
    const model = build();
    const x = seededTensor(shape, 7, 4);
    const options: LrpOptions = {
      composite: 'epsilon',
      epsilon: 1e-9,
      stabilizer: 1e-9,
      rules: { types: { 'batch-norm': lrpRule.epsilon(1e-9) } },
      target: { select: 'argmax' },
    };
    expect(mapLrpRules(model, options).every(({ rule }) => rule !== undefined)).toBe(true);
    using relevance = runLrp(model, options, x);
    using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [3] });
    using prepared = saliency({ target: { select: 'argmax' }, multiplyByInputs: true }).prepare(model);
    using gradient = prepared.run(data);
    const scaled = tf.tidy(() => {
      const logits = relevance.getTensor(['output']);
      const explained = tf.max(logits, -1);
      const attribution = relevance.getTensor(['attr', 'input']);
      return tf.mul(attribution, tf.reshape(explained, [3, ...attribution.shape.slice(1).map(() => 1)]));
    });
    expect(scaled).toBeCloseToTensor(gradient.getTensor(['attr', 'input']), { rtol: 1e-3, atol: 1e-6 });
    scaled.dispose();
    x.dispose();
    model.dispose();
  });
});

it('refuses a second LRP on a model that already carries rules', () => {
  const model = referenceMlp();
  {
    using _first = lrp({ composite: 'epsilon' }).prepare(model);
    expect(() => lrp({ composite: 'zPlus' }).prepare(model)).toThrowTdhookError(
      'E_CONTEXT',
      'already installed',
    );
  }
  using _again = lrp({ composite: 'zPlus' }).prepare(model);
  model.dispose();
});
