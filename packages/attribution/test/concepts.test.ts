// Concept-conditioned attribution (CRP, Achtibat et al. 2023): RelMax channel selection, the operator that
// writes it into a TensorDict, the channel-masking gradient hook and LRP conditioned on one channel.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { TensorDict, Workflow, type GradientHookContext } from '@tdhook/core';

import {
  conceptChannelGradient,
  conceptSelection,
  lrp,
  readConceptSelection,
  relMax,
  type LrpOptions,
} from '../src/index.js';
import { referenceCnn, referenceInput } from './reference-models.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

// Relevance [N=4, H=1, W=2, C=3] (channels last). Per sample and channel the signed spatial sums are:
//   sample 0 (label 1): [ 3, -4,  0]   sample 1 (label 1): [ 1,  0,  2]
//   sample 2 (label 0): [ 0,  1,  0]   sample 3 (label 0): [ 2,  1, -6]
// abs, then mean over positives [2, 2, 1], over negatives [1, 1, 3]: scores [1, 1, -2]; channel 0 (the first
// of the tie) for 'positive', 2 for 'negative'. Channel 1 of sample 0 is (−1) + (−3): signed before abs.
const sums = [
  [3, -4, 0],
  [1, 0, 2],
  [0, 1, 0],
  [2, 1, -6],
];
const handMade = (): tf.Tensor =>
  tf.tensor4d(
    sums.flatMap((row) => [
      ...row.map((value, channel) => (channel === 1 ? value + 1 : value - 1)),
      ...row.map((_, channel) => (channel === 1 ? -1 : 1)),
    ]),
    [4, 1, 2, 3],
  );
const labels = [1, 1, 0, 0] as const;
const context = (path: string): GradientHookContext =>
  ({ path, module: {}, direction: 'backward-pre', index: 0 }) as unknown as GradientHookContext;

describe('relMax', () => {
  it('scores the channels by |Σ relevance|, positives minus negatives, and picks argmax / argmin', () => {
    const relevance = handMade();
    const positive = relMax(relevance, labels);
    expect(positive.channel).toBe(0);
    expect(positive.direction).toBe(1);
    expect(positive.score).toBe(1);
    expect(Array.from(positive.positiveMean)).toEqual([2, 2, 1]);
    expect(Array.from(positive.negativeMean)).toEqual([1, 1, 3]);
    expect(Array.from(positive.scores)).toEqual([1, 1, -2]);
    const negative = relMax(relevance, [true, true, false, false], { direction: 'negative' });
    expect([negative.channel, negative.direction, negative.score]).toEqual([2, -1, -2]);
    relevance.dispose();
  });

  it('takes the channel axis anywhere but the batch axis (channels first with channelAxis 1)', () => {
    const relevance = handMade();
    const first = tf.transpose(relevance, [0, 3, 1, 2]); // [4, 3, 1, 2]
    const labelTensor = tf.tensor1d([1, 1, 0, 0], 'int32');
    const last = relMax(relevance, labelTensor, { channelAxis: -1 });
    const channelsFirst = relMax(first, labelTensor, { channelAxis: 1 });
    expect(channelsFirst).toEqual(last);
    expect(relMax(first, labels, { channelAxis: 1, direction: 'negative' }).channel).toBe(2);
    // The wrong axis is a different question (here axis -1 of [4, 3, 1, 2] has 2 "channels").
    expect(relMax(first, labels).scores).toHaveLength(2);
    tf.dispose([relevance, first, labelTensor]);
  });

  it('refuses labels that are not binary, not shaped like the batch, or of one class only', () => {
    const relevance = handMade();
    expect(() => relMax(relevance, [1, 1, 1, 1])).toThrowTdhookError(
      'E_INVALID_VALUE',
      /both classes.*all 4 are 1/,
    );
    expect(() => relMax(relevance, [0, 0, 0, 0])).toThrowTdhookError('E_INVALID_VALUE', /both classes/);
    expect(() => relMax(relevance, [1, 2, 0, 0] as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /binary.*label 1 is 2/,
    );
    expect(() => relMax(relevance, [1, 0, 0])).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /3 labels for 4 samples/,
    );
    const column = tf.tensor2d([1, 1, 0, 0], [4, 1]);
    expect(() => relMax(relevance, column)).toThrowTdhookError('E_SHAPE_MISMATCH', /shape \[4, 1\]/);
    const fractional = tf.tensor1d([1, 0.5, 0, 0]);
    expect(() => relMax(relevance, fractional)).toThrowTdhookError('E_INVALID_VALUE', /label 1 is 0\.5/);
    expect(() => relMax(relevance, labels, { direction: 'up' as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /direction must be 'positive' or 'negative'/,
    );
    expect(() => relMax(relevance, labels, { channelAxis: 0 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /batch axis/,
    );
    expect(() => relMax(relevance, labels, { channelAxis: 4 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /out of range/,
    );
    tf.dispose([relevance, column, fractional]);
  });

  it('refuses an empty channel axis, a missing channel axis and NaN relevance', () => {
    const empty = tf.zeros([4, 2, 0]);
    expect(() => relMax(empty, labels)).toThrowTdhookError('E_SHAPE_MISMATCH', /channel axis 2.*is empty/);
    const flat = tf.zeros([4]);
    expect(() => relMax(flat, labels)).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /batch axis and a channel axis/,
    );
    const nan = tf.tensor2d([1, NaN, 0, 1, 2, 3, 4, 5], [4, 2]);
    expect(() => relMax(nan, labels)).toThrowTdhookError('E_INVALID_VALUE', /NaN/);
    tf.dispose([empty, flat, nan]);
  });
});

describe('conceptChannelGradient', () => {
  it('keeps one channel of the gradient, times the direction', () => {
    const gradient = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 2, 3]);
    const kept = conceptChannelGradient({ channel: 1 })(gradient, context('conv2')) as tf.Tensor;
    expect(Array.from(kept.dataSync())).toEqual([0, 2, 0, 0, 5, 0, 0, 8, 0, 0, 11, 0]);
    const flipped = conceptChannelGradient({ channel: 0, direction: -1, channelAxis: 1 })(
      gradient,
      context('conv2'),
    ) as tf.Tensor;
    expect(Array.from(flipped.dataSync())).toEqual([-1, -2, -3, 0, 0, 0, -7, -8, -9, 0, 0, 0]);
    tf.dispose([gradient, kept, flipped]);
  });

  it('refuses a bad channel or direction when built, and a channel out of range when it runs', () => {
    expect(() => conceptChannelGradient({ channel: -1 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /≥ 0, got -1/,
    );
    expect(() => conceptChannelGradient({ channel: 1.5 })).toThrowTdhookError('E_INVALID_VALUE', /channel/);
    expect(() => conceptChannelGradient({ channel: 0, direction: 0 as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /direction must be 1 or -1/,
    );
    const gradient = tf.zeros([2, 4, 4, 16]);
    expect(() => conceptChannelGradient({ channel: 16 })(gradient, context('conv2'))).toThrowTdhookError(
      'E_INVALID_VALUE',
      /channel 16 is out of range: the output of module 'conv2' has 16 channels/,
    );
    const scalar = tf.scalar(1);
    expect(() => conceptChannelGradient({ channel: 0 })(scalar, context('fc'))).toThrowTdhookError(
      'E_INVALID_VALUE',
      /out of range of the gradient of shape \[\]/,
    );
    tf.dispose([gradient, scalar]);
  });
});

describe('conceptSelection', () => {
  it('writes the selection under outKey, expanded to the batch', () => {
    using data = new TensorDict(
      { attr: { conv2: handMade() }, concept_labels: tf.tensor1d([1, 1, 0, 0], 'int32') },
      { batchShape: [4] },
    );
    using result = conceptSelection({ relevanceKey: ['attr', 'conv2'] }).run(data);
    const out = (name: string): tf.Tensor => result.getTensor(['metrics', 'concept_selection', name]);
    for (const name of ['positive_mean', 'negative_mean', 'scores']) {
      expect([name, out(name).shape, out(name).dtype]).toEqual([name, [4, 3], 'float32']);
    }
    expect(Array.from(out('scores').dataSync())).toEqual([1, 1, -2, 1, 1, -2, 1, 1, -2, 1, 1, -2]);
    expect([out('channel').shape, out('channel').dtype, Array.from(out('channel').dataSync())]).toEqual([
      [4],
      'int32',
      [0, 0, 0, 0],
    ]);
    expect([out('direction').dtype, Array.from(out('direction').dataSync())]).toEqual([
      'int32',
      [1, 1, 1, 1],
    ]);
    expect([out('score').dtype, Array.from(out('score').dataSync())]).toEqual(['float32', [1, 1, 1, 1]]);
    expect(readConceptSelection(result)).toEqual({ channel: 0, direction: 1 });
    expect(data.keys()).toEqual([['attr', 'conv2'], ['concept_labels']]);
  });

  it('keeps several batch dims, reads other keys and selects argmin for negative', () => {
    const relevance = handMade();
    using data = new TensorDict(
      {
        relevance: tf.reshape(relevance, [2, 2, 1, 2, 3]),
        striped: tf.tensor2d(
          [
            [1, 1],
            [0, 0],
          ],
          [2, 2],
          'bool',
        ),
      },
      { batchShape: [2, 2] },
    );
    relevance.dispose();
    const operator = conceptSelection({
      relevanceKey: 'relevance',
      labelsKey: 'striped',
      outKey: 'selected',
      direction: 'negative',
    });
    expect(operator.outKeys.map((key) => key.join('.'))).toEqual([
      'selected.positive_mean',
      'selected.negative_mean',
      'selected.scores',
      'selected.channel',
      'selected.direction',
      'selected.score',
    ]);
    using result = operator.run(data);
    expect(result.getTensor(['selected', 'scores']).shape).toEqual([2, 2, 3]);
    expect(result.getTensor(['selected', 'channel']).shape).toEqual([2, 2]);
    expect(readConceptSelection(result, 'selected')).toEqual({ channel: 2, direction: -1 });
  });

  it('refuses bad options, missing keys and labels not shaped like the batch', () => {
    expect(() => conceptSelection({} as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /relevanceKey is required/,
    );
    expect(() => conceptSelection({ relevanceKey: 'r', direction: 'both' as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /direction/,
    );
    using data = new TensorDict(
      { r: tf.zeros([4, 3]), concept_labels: tf.tensor2d([1, 1, 0, 0], [4, 1]), flat: tf.zeros([4]) },
      { batchShape: [4] },
    );
    expect(() => conceptSelection({ relevanceKey: 'nope' }).run(data)).toThrowTdhookError(
      'E_MISSING_KEY',
      /No relevance at "nope"/,
    );
    expect(() => conceptSelection({ relevanceKey: 'r' }).run(data)).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /shape \[4, 1\], not the batch shape \[4\]/,
    );
    expect(() => conceptSelection({ relevanceKey: 'flat', labelsKey: 'r' }).run(data)).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /no channel axis/,
    );
    expect(() => conceptSelection({ relevanceKey: 'r', labelsKey: 'flat' }).run(data)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /both classes/,
    );
  });

  it('readConceptSelection refuses a selection that is not uniform or not a valid channel/direction', () => {
    const selection = (
      channel: number[],
      direction: number[],
      dtype: 'int32' | 'float32' = 'int32',
    ): TensorDict =>
      new TensorDict(
        {
          metrics: {
            concept_selection: {
              channel: tf.tensor1d(channel, dtype),
              direction: tf.tensor1d(direction, 'int32'),
            },
          },
        },
        { batchShape: [channel.length] },
      );
    const cases: [TensorDict, RegExp][] = [
      [selection([1, 2], [1, 1]), /channel.*not the same across the batch/],
      [selection([1, 1], [1, -1]), /direction.*not the same/],
      [selection([-1, -1], [1, 1]), /channel must be a whole number ≥ 0, got -1/],
      [selection([1.5, 1.5], [1, 1], 'float32'), /must be an integer, got 1.5/],
      [selection([1, 1], [2, 2]), /direction must be 1 or -1, got 2/],
      [selection([], []), /empty/],
    ];
    for (const [data, pattern] of cases) {
      expect(() => readConceptSelection(data)).toThrowTdhookError('E_INVALID_VALUE', pattern);
      data.dispose();
    }
    using none = new TensorDict({}, { batchShape: [2] });
    expect(() => readConceptSelection(none)).toThrowTdhookError('E_MISSING_KEY', /Run conceptSelection/);
  });
});

describe('LRP conditioned on a concept channel (reference CNN)', () => {
  const base: LrpOptions = { composite: 'epsilonPlus', target: { select: 'argmax' } };
  const conceptLabels = [1, 0, 1, 0] as const;

  function run(model: tfl.LayersModel, x: tf.Tensor, options: LrpOptions): TensorDict {
    using prepared = lrp(options).prepare(model);
    using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [x.shape[0]] });
    return prepared.run(data);
  }

  function perSample(tensor: tf.Tensor): number[] {
    return tf.tidy(() => Array.from(tf.sum(tensor, [1, 2, 3]).dataSync()));
  }

  function channelSums(relevance: tf.Tensor, channel: number): number[] {
    return tf.tidy(() => {
      const [n, h, w] = relevance.shape as number[];
      return perSample(tf.slice(relevance, [0, 0, 0, channel], [n ?? 0, h ?? 0, w ?? 0, 1]));
    });
  }

  /** The reference CNN with the convolution biases set to 0: z⁺ then conserves relevance exactly. */
  function zeroBiasCnn(): tfl.LayersModel {
    const model = referenceCnn();
    for (const name of ['conv1', 'conv2']) {
      const layer = model.getLayer(name);
      const [kernel, bias] = layer.getWeights();
      const zeros = tf.zerosLike(bias as tf.Tensor);
      layer.setWeights([kernel as tf.Tensor, zeros]);
      zeros.dispose();
    }
    return model;
  }

  const maxError = (a: readonly number[], b: readonly number[]): number =>
    Math.max(...a.map((value, index) => Math.abs(value - (b[index] ?? NaN))));

  it('the mask applies to the relevance at the module output, before the rule (hook order)', () => {
    const model = referenceCnn();
    const x = referenceInput('cnn');
    using plain = run(model, x, { ...base, modules: ['conv2'] });
    const selected = relMax(plain.getTensor(['attr', 'conv2']), conceptLabels);
    expect(selected.channel).toBe(8);
    using conditioned = run(model, x, {
      ...base,
      modules: ['conv2'],
      outputGradients: { conv2: conceptChannelGradient(selected) },
    });
    // The latent relevance at conv2 is the plain one with every other channel zeroed: the backward-pre tap
    // wraps the rule's output, so the mask sits between relu2's relevance and conv2's z⁺ rule.
    const masked = tf.tidy(() =>
      tf.mul(
        plain.getTensor(['attr', 'conv2']),
        tf.reshape(tf.oneHot(tf.tensor1d([8], 'int32'), 16), [1, 1, 1, 16]),
      ),
    );
    expect(conditioned.getTensor(['attr', 'conv2'])).toBeCloseToTensor(masked, { rtol: 0, atol: 0 });
    masked.dispose();
    // The outputs above conv2 are untouched.
    expect(conditioned.getTensor('output')).toBeCloseToTensor(plain.getTensor('output'), {
      rtol: 0,
      atol: 0,
    });
    x.dispose();
    model.dispose();
  });

  it('conditioned relevance is linear: the input relevances of all channels add up to the plain one', () => {
    const model = referenceCnn();
    const x = referenceInput('cnn');
    using plain = run(model, x, base);
    let sum = tf.zerosLike(plain.getTensor(['attr', 'input']));
    for (let channel = 0; channel < 16; channel++) {
      using conditioned = run(model, x, {
        ...base,
        outputGradients: { conv2: conceptChannelGradient({ channel }) },
      });
      const next = tf.add(sum, conditioned.getTensor(['attr', 'input']));
      sum.dispose();
      sum = next;
    }
    // Measured: max error 4e-9 (cpu) / 6e-9 (wasm) on values up to 0.032.
    expect(sum).toBeCloseToTensor(plain.getTensor(['attr', 'input']), { rtol: 1e-4, atol: 1e-7 });
    sum.dispose();
    x.dispose();
    model.dispose();
  });

  it('conserves the relevance of the selected channel down to the input (zero conv biases)', () => {
    const model = zeroBiasCnn();
    const x = referenceInput('cnn');
    using plain = run(model, x, { ...base, modules: ['conv2'] });
    const selected = relMax(plain.getTensor(['attr', 'conv2']), conceptLabels);
    const expected = channelSums(plain.getTensor(['attr', 'conv2']), selected.channel);
    for (const direction of [1, -1] as const) {
      using conditioned = run(model, x, {
        ...base,
        outputGradients: { conv2: conceptChannelGradient({ channel: selected.channel, direction }) },
      });
      const got = perSample(conditioned.getTensor(['attr', 'input']));
      const want = expected.map((value) => direction * value);
      // Measured: max error 2.8e-7 (cpu) / 2.2e-7 (wasm) on sums of 0.04 to 0.16 (z⁺'s stabiliser).
      expect(maxError(got, want)).toBeLessThan(1e-6);
      expect(got).toBeCloseToTensor(want, { rtol: 1e-4, atol: 1e-7 });
      expect(conditioned.getTensor(['attr', 'input'])).not.toBeCloseToTensor(
        plain.getTensor(['attr', 'input']),
        {
          rtol: 1e-2,
          atol: 1e-4,
        },
      );
    }
    x.dispose();
    model.dispose();
  });

  it('a channel out of range fails the run with a typed error, leaving the model as it was', () => {
    const model = referenceCnn();
    const x = referenceInput('cnn');
    expect(() =>
      run(model, x, {
        ...base,
        outputGradients: { conv2: conceptChannelGradient({ channel: 16 }) },
      }),
    ).toThrowTdhookError(
      'E_INVALID_VALUE',
      /channel 16 is out of range: the output of module 'conv2' has 16 channels/,
    );
    // The model is restored: a plain LRP can be prepared on it again.
    run(model, x, base).dispose();
    x.dispose();
    model.dispose();
  });

  it('runs as selection → conditioned LRP through a workflow and the TensorDict', () => {
    const model = referenceCnn();
    const x = referenceInput('cnn');
    using data = new TensorDict(
      { input: x, concept_labels: tf.tensor1d([...conceptLabels], 'int32') },
      { batchShape: [4] },
    );
    const workflow = new Workflow([
      lrp({ ...base, modules: ['conv2'] }),
      conceptSelection({ relevanceKey: ['attr', 'conv2'] }),
    ]);
    const { data: selected } = workflow.run(model, data);
    const selection = readConceptSelection(selected);
    expect(selection).toEqual({ channel: 8, direction: 1 });
    {
      using prepared = lrp({
        ...base,
        attributionKey: 'conditioned',
        outputGradients: { conv2: conceptChannelGradient(selection) },
      }).prepare(model);
      using result = prepared.run(selected);
      expect(result.getTensor(['conditioned', 'input']).shape).toEqual([4, 16, 16, 1]);
    }
    selected.dispose();
    model.dispose();
  });
});
