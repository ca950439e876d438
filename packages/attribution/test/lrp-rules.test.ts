// Each LRP rule on one Dense and one Conv2D layer against the rule's formula computed here in float64 (an
// independent computation: the layer as an explicit matrix), conservation with zero bias and stabiliser,
// and the elementwise and transformer rules against their defining formulas (tdhook SPEC 100, 101, 106–108).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { Lambda, Module, TensorDict, type ModelNode } from '@tdhook/core';
import { seededTensor } from '@tdhook/testing';

import { lrp, lrpRule, type LrpParameters, type LrpRule } from '../src/index.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

// ---- float64 reference: a linear layer as a matrix M[in][out] and a bias per output ----

interface Affine {
  readonly inputs: number;
  readonly outputs: number;
  /** `matrix(f)`: M with f applied to each kernel tap (each entry of M is one tap or 0). */
  matrix(tap: (w: number) => number): Float64Array;
  readonly bias: Float64Array;
}

function denseAffine(kernel: Float32Array, bias: Float32Array, inputs: number, outputs: number): Affine {
  return {
    inputs,
    outputs,
    matrix: (tap) => Float64Array.from(kernel, (w) => tap(w)),
    bias: Float64Array.from(bias),
  };
}

/** A stride-1 'same' Conv2D (odd kernel) on one [h, w, cin] image as a matrix, NHWC flattening. */
function convAffine(
  kernel: Float32Array,
  bias: Float32Array,
  [h, w, cin]: readonly [number, number, number],
  [kh, kw, cout]: readonly [number, number, number],
): Affine {
  const inputs = h * w * cin;
  const outputs = h * w * cout;
  return {
    inputs,
    outputs,
    matrix: (tap) => {
      const m = new Float64Array(inputs * outputs);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          for (let dy = 0; dy < kh; dy++)
            for (let dx = 0; dx < kw; dx++) {
              const yy = y + dy - (kh - 1) / 2;
              const xx = x + dx - (kw - 1) / 2;
              if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
              for (let ci = 0; ci < cin; ci++)
                for (let co = 0; co < cout; co++) {
                  const i = (yy * w + xx) * cin + ci;
                  const o = (y * w + x) * cout + co;
                  m[i * outputs + o] = tap(kernel[((dy * kw + dx) * cin + ci) * cout + co] as number);
                }
            }
      return m;
    },
    bias: Float64Array.from({ length: outputs }, (_, o) => bias[o % cout] as number),
  };
}

const stab = (z: number, epsilon: number): number => z + (z >= 0 ? epsilon : -epsilon);
const pos = (v: number): number => Math.max(v, 0);
const neg = (v: number): number => Math.min(v, 0);

/** `out[j] = Σ_i x[i]·M[i][j] + b[j]`. */
function forward(
  a: Affine,
  m: Float64Array,
  x: ArrayLike<number>,
  b: ArrayLike<number> | undefined,
): Float64Array {
  const z = Float64Array.from({ length: a.outputs }, (_, j) => b?.[j] ?? 0);
  for (let i = 0; i < a.inputs; i++) {
    const xi = x[i] as number;
    if (xi === 0) continue;
    for (let j = 0; j < a.outputs; j++) z[j] = (z[j] as number) + xi * (m[i * a.outputs + j] as number);
  }
  return z;
}

const add = (a: Float64Array, b: Float64Array): Float64Array => a.map((v, j) => v + (b[j] as number));

/** `Σ_j (Σ_k x_k(i)·M_k[i][j])·s[j]` for pairs (x_k, M_k): the contributions of input i weighted by s. */
function distribute(
  a: Affine,
  pairs: readonly [ArrayLike<number>, Float64Array][],
  s: Float64Array,
): Float64Array {
  const r = new Float64Array(a.inputs);
  for (const [x, m] of pairs)
    for (let i = 0; i < a.inputs; i++) {
      let total = 0;
      for (let j = 0; j < a.outputs; j++) total += (m[i * a.outputs + j] as number) * (s[j] as number);
      r[i] = (r[i] as number) + (x[i] as number) * total;
    }
  return r;
}

/** The input relevance of one sample under `rule`, straight from the rule's formula. */
function referenceRelevance(
  rule: LrpRule,
  a: Affine,
  x: ArrayLike<number>,
  relevance: ArrayLike<number>,
): Float64Array {
  const w = a.matrix((v) => v);
  const divide = (z: Float64Array, epsilon: number, mask?: (j: number) => boolean): Float64Array =>
    Float64Array.from(z, (zj, j) =>
      mask === undefined || mask(j) ? (relevance[j] as number) / stab(zj, epsilon) : 0,
    );
  const xp = Array.from(x, pos);
  const xn = Array.from(x, neg);
  const param = (name: string): number => rule.params[name] as number;
  switch (rule.name) {
    case 'epsilon':
      return distribute(a, [[x, w]], divide(forward(a, w, x, a.bias), param('epsilon')));
    case 'norm':
      return distribute(a, [[x, w]], divide(forward(a, w, x, a.bias), param('stabilizer')));
    case 'z-plus':
      return referenceRelevance(lrpRule.alphaBeta(1, 0, param('stabilizer')), a, x, relevance);
    case 'alpha-beta': {
      const [alpha, beta] = [param('alpha'), param('beta')];
      const wp = a.matrix(pos);
      const wn = a.matrix(neg);
      const zp = add(forward(a, wp, xp, Array.from(a.bias, pos)), forward(a, wn, xn, undefined));
      const zn = add(forward(a, wn, xp, Array.from(a.bias, neg)), forward(a, wp, xn, undefined));
      const positive = distribute(
        a,
        [
          [xp, wp],
          [xn, wn],
        ],
        divide(zp, param('stabilizer')),
      );
      const negative = distribute(
        a,
        [
          [xp, wn],
          [xn, wp],
        ],
        divide(zn, param('stabilizer')),
      );
      return positive.map((p, i) => alpha * p - beta * (negative[i] as number));
    }
    case 'gamma': {
      const up = a.matrix((v) => v + param('gamma') * pos(v));
      const down = a.matrix((v) => v + param('gamma') * neg(v));
      const z = forward(a, w, x, a.bias);
      const bUp = Array.from(a.bias, (v) => v + param('gamma') * pos(v));
      const bDown = Array.from(a.bias, (v) => v + param('gamma') * neg(v));
      const zUp = add(forward(a, up, xp, bUp), forward(a, down, xn, undefined));
      const zDown = add(forward(a, down, xp, bDown), forward(a, up, xn, undefined));
      const positive = distribute(
        a,
        [
          [xp, up],
          [xn, down],
        ],
        divide(zUp, param('stabilizer'), (j) => (z[j] as number) > 0),
      );
      const negative = distribute(
        a,
        [
          [xp, down],
          [xn, up],
        ],
        divide(zDown, param('stabilizer'), (j) => (z[j] as number) < 0),
      );
      return positive.map((p, i) => p + (negative[i] as number));
    }
    case 'w-square':
    case 'flat': {
      const m = rule.name === 'w-square' ? a.matrix((v) => v * v) : a.matrix(() => 1);
      const b = rule.name === 'w-square' ? Array.from(a.bias, (v) => v * v) : undefined;
      const ones = new Array<number>(a.inputs).fill(1);
      return distribute(a, [[ones, m]], divide(forward(a, m, ones, b), param('stabilizer')));
    }
    default:
      throw new Error(`no float64 reference for ${rule.name}`);
  }
}

// ---- running one rule on one layer through the public API, with an arbitrary output relevance ----

/** LRP with `rule` on the module at `path`; the output relevance is `relevance` (the target's gradient). */
function relevanceOf(
  model: ModelNode,
  path: string,
  rule: LrpRule,
  x: tf.Tensor,
  relevance: tf.Tensor,
  extra: { checkConservation?: { rtol?: number; atol?: number } } = {},
): Float32Array {
  const axes = Array.from({ length: relevance.rank - 1 }, (_, axis) => axis + 1);
  const select = (output: tf.Tensor): tf.Tensor => tf.sum(tf.mul(output, relevance), axes);
  using prepared = lrp({
    rules: { paths: { [path]: rule } },
    target: { select },
    onWarning: () => undefined,
    ...extra,
  }).prepare(model);
  using data = new TensorDict({ input: tf.clone(x) }, { batchShape: [x.shape[0]] });
  using result = prepared.run(data);
  return Float32Array.from(result.getTensor(['attr', 'input']).dataSync());
}

function referenceBatch(rule: LrpRule, a: Affine, x: tf.Tensor, relevance: tf.Tensor): number[] {
  const rows = x.shape[0];
  const xs = x.dataSync();
  const rs = relevance.dataSync();
  const out = new Float64Array(rows * a.inputs);
  for (let n = 0; n < rows; n++) {
    out.set(
      referenceRelevance(
        rule,
        a,
        xs.subarray(n * a.inputs, (n + 1) * a.inputs),
        rs.subarray(n * a.outputs, (n + 1) * a.outputs),
      ),
      n * a.inputs,
    );
  }
  return Array.from(out);
}

interface Fixture {
  readonly model: ModelNode;
  readonly affine: Affine;
  readonly x: tf.Tensor;
  readonly relevance: tf.Tensor;
  dispose(): void;
}

function denseFixture(bias = true): Fixture {
  const [inputs, outputs] = [6, 5];
  const kernel = seededTensor([inputs, outputs], 11, 2);
  const b = bias ? seededTensor([outputs], 12, 1) : tf.zeros([outputs]);
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ units: outputs, inputShape: [inputs], name: 'layer' })],
  });
  model.getLayer('layer').setWeights([kernel, b]);
  const affine = denseAffine(
    kernel.dataSync() as Float32Array,
    b.dataSync() as Float32Array,
    inputs,
    outputs,
  );
  tf.dispose([kernel, b]);
  const x = seededTensor([3, inputs], 13, 4);
  const relevance = seededTensor([3, outputs], 14, 2);
  return {
    model,
    affine,
    x,
    relevance,
    dispose: () => {
      tf.dispose([x, relevance]);
      model.dispose();
    },
  };
}

function convFixture(bias = true): Fixture {
  const image = [4, 4, 2] as const;
  const filter = [3, 3, 3] as const;
  const kernel = seededTensor([filter[0], filter[1], image[2], filter[2]], 21, 2);
  const b = bias ? seededTensor([filter[2]], 22, 1) : tf.zeros([filter[2]]);
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        filters: filter[2],
        kernelSize: 3,
        padding: 'same',
        inputShape: [...image],
        name: 'layer',
      }),
    ],
  });
  model.getLayer('layer').setWeights([kernel, b]);
  const affine = convAffine(kernel.dataSync() as Float32Array, b.dataSync() as Float32Array, image, filter);
  tf.dispose([kernel, b]);
  const x = seededTensor([2, ...image], 23, 4);
  const relevance = seededTensor([2, image[0], image[1], filter[2]], 24, 2);
  return {
    model,
    affine,
    x,
    relevance,
    dispose: () => {
      tf.dispose([x, relevance]);
      model.dispose();
    },
  };
}

const layerRules: [string, LrpRule][] = [
  ['epsilon 1e-6', lrpRule.epsilon()],
  ['epsilon 0.1', lrpRule.epsilon(0.1)],
  ['norm', lrpRule.norm()],
  ['z-plus', lrpRule.zPlus()],
  ['alpha1-beta0', lrpRule.alphaBeta(1, 0)],
  ['alpha2-beta1', lrpRule.alphaBeta(2, 1)],
  ['gamma 0.25', lrpRule.gamma()],
  ['w-square', lrpRule.wSquare()],
  ['flat', lrpRule.flat()],
];

// float32 against float64: the ε-rule divides by outputs near zero for some units.
const againstFloat64 = { rtol: 1e-3, atol: 1e-4 };

describe.each([
  ['Dense', denseFixture],
  ['Conv2D', convFixture],
] as const)('each rule on one %s layer equals its float64 formula', (_, build) => {
  it.each(layerRules)('%s', (_name, rule) => {
    const fixture = build();
    const actual = relevanceOf(fixture.model, 'layer', rule, fixture.x, fixture.relevance);
    expect(actual).toBeCloseToTensor(
      referenceBatch(rule, fixture.affine, fixture.x, fixture.relevance),
      againstFloat64,
    );
    fixture.dispose();
  });

  it('z-plus equals alpha1-beta0 exactly', () => {
    const fixture = build();
    const zPlus = relevanceOf(fixture.model, 'layer', lrpRule.zPlus(), fixture.x, fixture.relevance);
    const alphaBeta = relevanceOf(
      fixture.model,
      'layer',
      lrpRule.alphaBeta(1, 0),
      fixture.x,
      fixture.relevance,
    );
    expect(zPlus).toBeCloseToTensor(alphaBeta, { rtol: 0, atol: 0 });
    fixture.dispose();
  });

  it.each([
    ['epsilon 0', lrpRule.epsilon(0)],
    ['alpha2-beta1', lrpRule.alphaBeta(2, 1, 0)],
    ['z-plus', lrpRule.zPlus(0)],
    ['flat', lrpRule.flat(0)],
    ['w-square', lrpRule.wSquare(0)],
  ])('%s conserves relevance with zero bias and stabiliser', (_name, rule) => {
    const fixture = build(false);
    const rows = fixture.x.shape[0];
    const actual = relevanceOf(fixture.model, 'layer', rule, fixture.x, fixture.relevance, {
      checkConservation: { rtol: 1e-3, atol: 1e-5 },
    });
    const incoming = Array.from({ length: rows }, (_, n) =>
      actual
        .subarray((n * actual.length) / rows, ((n + 1) * actual.length) / rows)
        .reduce((t, v) => t + v, 0),
    );
    const outgoing = tf.tidy(() => tf.sum(tf.reshape(fixture.relevance, [rows, -1]), 1).arraySync());
    expect(incoming).toBeCloseToTensor(outgoing, { rtol: 1e-3, atol: 1e-5 });
    fixture.dispose();
  });
});

it('the conservation check names the layer whose bias absorbs relevance', () => {
  const fixture = denseFixture(true);
  expect(() =>
    relevanceOf(fixture.model, 'layer', lrpRule.epsilon(), fixture.x, fixture.relevance, {
      checkConservation: { rtol: 1e-6, atol: 1e-6 },
    }),
  ).toThrowTdhookError('E_ATTRIBUTION_CONSERVATION', "module 'layer'");
  fixture.dispose();
});

// ---- a convolution as a plain tdhook Module that opts in with forwardWith ----

class Conv extends Module {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(kernel: tf.Tensor, bias: tf.Tensor) {
    super();
    this.kernel = this.registerParameter('kernel', kernel);
    this.bias = this.registerParameter('bias', bias);
  }

  forwardWith(x: tf.Tensor, { kernel, bias }: LrpParameters): tf.Tensor {
    const z = tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'same');
    return bias === undefined ? z : tf.add(z, bias);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.forwardWith(x, { kernel: this.kernel, bias: this.bias });
  }
}

class ConvNet extends Module {
  readonly conv: Conv;
  constructor(kernel: tf.Tensor, bias: tf.Tensor) {
    super();
    this.conv = this.registerModule('conv', new Conv(kernel, bias));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.conv.call(x);
  }
}

it.each(layerRules)('%s on a Conv Module (LrpLinearModule) equals its float64 formula', (_name, rule) => {
  const fixture = convFixture();
  const [kernel, bias] = (fixture.model as tfl.Sequential).getLayer('layer').getWeights() as [
    tf.Tensor,
    tf.Tensor,
  ];
  const net = new ConvNet(tf.clone(kernel), tf.clone(bias));
  const actual = relevanceOf(net, 'conv', rule, fixture.x, fixture.relevance);
  expect(actual).toBeCloseToTensor(
    referenceBatch(rule, fixture.affine, fixture.x, fixture.relevance),
    againstFloat64,
  );
  net.dispose();
  fixture.dispose();
});

// ---- elementwise rules ----

describe('elementwise rules', () => {
  const x = (): tf.Tensor => seededTensor([3, 5], 31, 4);
  const r = (): tf.Tensor => seededTensor([3, 5], 32, 2);

  it('pass hands the relevance on unchanged; pseudo-identity scales it by f(x)/x', () => {
    const model = tfl.sequential({
      layers: [tfl.layers.activation({ activation: 'tanh', inputShape: [5], name: 'act' })],
    });
    const [input, relevance] = [x(), r()];
    expect(relevanceOf(model, 'act', lrpRule.pass(), input, relevance)).toBeCloseToTensor(
      relevance.dataSync(),
      { rtol: 0, atol: 0 },
    );
    const xs = input.dataSync();
    const rs = relevance.dataSync();
    const expected = Array.from(xs, (v, i) => (Math.tanh(v) / stab(v, 1e-6)) * (rs[i] as number));
    expect(relevanceOf(model, 'act', lrpRule.pseudoIdentity(), input, relevance)).toBeCloseToTensor(
      expected,
      { rtol: 1e-5, atol: 1e-6 },
    );
    tf.dispose([input, relevance]);
    model.dispose();
  });

  it('stop gives no relevance; ignore gives the plain gradient', () => {
    const model = tfl.sequential({
      layers: [tfl.layers.activation({ activation: 'tanh', inputShape: [5], name: 'act' })],
    });
    const [input, relevance] = [x(), r()];
    expect(relevanceOf(model, 'act', lrpRule.stop(), input, relevance)).toBeCloseToTensor(
      new Float32Array(15),
      { rtol: 0, atol: 0 },
    );
    const gradient = Array.from(
      input.dataSync(),
      (v, i) => (1 - Math.tanh(v) ** 2) * (relevance.dataSync()[i] as number),
    );
    expect(relevanceOf(model, 'act', lrpRule.ignore(), input, relevance)).toBeCloseToTensor(gradient, {
      rtol: 1e-5,
      atol: 1e-6,
    });
    tf.dispose([input, relevance]);
    model.dispose();
  });

  it('pass on a layer that changes the shape is refused when it runs', () => {
    const fixture = denseFixture();
    expect(() =>
      relevanceOf(fixture.model, 'layer', lrpRule.pass(), fixture.x, fixture.relevance),
    ).toThrowTdhookError('E_INVALID_VALUE', 'one input shaped like the output');
    fixture.dispose();
  });

  it('uniform splits the relevance evenly over the inputs of an Add; uniform-epsilon splits the ε-share', () => {
    const a = tfl.input({ shape: [5] });
    const b = tfl.layers
      .dense({ units: 5, name: 'b', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) })
      .apply(a) as tfl.SymbolicTensor;
    const sum = tfl.layers.add({ name: 'sum' }).apply([a, b]) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: a, outputs: sum });
    const [input, relevance] = [x(), r()];
    // The input gets R/2 from the Add directly and, through b (plain gradient), Wᵀ·R/2.
    const expected = tf.tidy(() => {
      const kernel = model.getLayer('b').getWeights()[0] as tf.Tensor2D;
      const half = tf.div(relevance, 2);
      return tf.add(half, tf.matMul(half as tf.Tensor2D, kernel, false, true));
    });
    expect(relevanceOf(model, 'sum', lrpRule.uniform(), input, relevance)).toBeCloseToTensor(
      expected.dataSync(),
      {
        rtol: 1e-5,
        atol: 1e-6,
      },
    );
    const viaEpsilon = tf.tidy(() => {
      const kernel = model.getLayer('b').getWeights()[0] as tf.Tensor2D;
      const z = model.predict(input) as tf.Tensor;
      const bOut = tf.sub(z, input);
      const share = tf.div(
        tf.div(
          relevance,
          tf.add(z, tf.mul(tf.sub(tf.mul(tf.cast(tf.greaterEqual(z, 0), 'float32'), 2), 1), 1e-6)),
        ),
        2,
      );
      return tf.add(tf.mul(input, share), tf.matMul(tf.mul<tf.Tensor2D>(bOut, share), kernel, false, true));
    });
    expect(relevanceOf(model, 'sum', lrpRule.uniformEpsilon(), input, relevance)).toBeCloseToTensor(
      viaEpsilon.dataSync(),
      { rtol: 1e-4, atol: 1e-5 },
    );
    tf.dispose([input, relevance, expected, viaEpsilon]);
    model.dispose();
  });
});

// ---- transformer rules (LXT), against their defining formulas ----

describe('transformer rules', () => {
  it('softmax-epsilon: R_in = (R − y·ΣR)·x, on a Softmax layer and on a softmax Module', () => {
    const input = seededTensor([3, 6], 41, 4);
    const relevance = seededTensor([3, 6], 42, 2);
    const expected = tf.tidy(() => {
      const y = tf.softmax(input);
      return tf.mul(tf.sub(relevance, tf.mul(y, tf.sum(relevance, -1, true))), input);
    });
    const layers = tfl.sequential({ layers: [tfl.layers.softmax({ inputShape: [6], name: 'softmax' })] });
    expect(relevanceOf(layers, 'softmax', lrpRule.softmaxEpsilon(), input, relevance)).toBeCloseToTensor(
      expected.dataSync(),
      { rtol: 1e-5, atol: 1e-6 },
    );
    class Head extends Module {
      readonly softmax = this.registerModule(
        'softmax',
        new Lambda('softmax', (v: tf.Tensor) => tf.softmax(v)),
      );
      forward(v: tf.Tensor): tf.Tensor {
        return this.softmax.call(v);
      }
    }
    const head = new Head();
    expect(relevanceOf(head, 'softmax', lrpRule.softmaxEpsilon(), input, relevance)).toBeCloseToTensor(
      expected.dataSync(),
      { rtol: 1e-5, atol: 1e-6 },
    );
    // LXT's rule divides by nothing: there is no ε to set, and an argument is refused rather than ignored.
    expect(lrpRule.softmaxEpsilon().describe()).toEqual({ rule: 'softmax-epsilon', params: {} });
    expect(() => (lrpRule.softmaxEpsilon as (epsilon: number) => unknown)(0.1)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /lrpRule.softmaxEpsilon takes no arguments, got 1/,
    );
    tf.dispose([input, relevance, expected]);
    layers.dispose();
  });

  it('layer-norm: the gradient of γ·(x − mean)/std + β with std held constant', () => {
    const input = seededTensor([3, 8], 51, 4);
    const relevance = seededTensor([3, 8], 52, 2);
    const model = tfl.sequential({
      layers: [tfl.layers.layerNormalization({ inputShape: [8], name: 'norm', epsilon: 1e-3 })],
    });
    const gamma = seededTensor([8], 53, 2);
    const beta = seededTensor([8], 54, 1);
    model.getLayer('norm').setWeights([gamma, beta]);
    // The defining formula, differentiated by TF.js: std is a constant computed outside the function.
    const expected = tf.tidy(() => {
      const mean0 = tf.mean(input, -1, true);
      const std = tf.sqrt(tf.add(tf.mean(tf.square(tf.sub(input, mean0)), -1, true), 1e-3));
      const normalised = (v: tf.Tensor): tf.Tensor =>
        tf.add(tf.mul(tf.div(tf.sub(v, tf.mean(v, -1, true)), std), gamma), beta);
      return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(normalised(v), relevance)))(input);
    });
    expect(relevanceOf(model, 'norm', lrpRule.layerNorm(), input, relevance)).toBeCloseToTensor(
      expected.dataSync(),
      {
        rtol: 1e-4,
        atol: 1e-5,
      },
    );
    tf.dispose([input, relevance, gamma, beta, expected]);
    model.dispose();
  });

  it('layer-norm on a Module that opts in (LrpLayerNormModule)', () => {
    class LayerNorm extends Module {
      readonly lrpKind = 'layer-norm';
      readonly epsilon = 1e-5;
      readonly gamma = this.registerParameter('gamma', seededTensor([8], 61, 2));
      forward(v: tf.Tensor): tf.Tensor {
        const mean = tf.mean(v, -1, true);
        const std = tf.sqrt(tf.add(tf.mean(tf.square(tf.sub(v, mean)), -1, true), this.epsilon));
        return tf.mul(tf.div(tf.sub(v, mean), std), this.gamma);
      }
    }
    class Block extends Module {
      readonly norm = this.registerModule('norm', new LayerNorm());
      forward(v: tf.Tensor): tf.Tensor {
        return this.norm.call(v);
      }
    }
    const block = new Block();
    const input = seededTensor([2, 8], 62, 4);
    const relevance = seededTensor([2, 8], 63, 2);
    const expected = tf.tidy(() => {
      const std = tf.sqrt(
        tf.add(tf.mean(tf.square(tf.sub(input, tf.mean(input, -1, true))), -1, true), 1e-5),
      );
      return tf.grad((v: tf.Tensor) =>
        tf.sum(tf.mul(tf.mul(tf.div(tf.sub(v, tf.mean(v, -1, true)), std), block.norm.gamma), relevance)),
      )(input);
    });
    expect(relevanceOf(block, 'norm', lrpRule.layerNorm(), input, relevance)).toBeCloseToTensor(
      expected.dataSync(),
      {
        rtol: 1e-4,
        atol: 1e-5,
      },
    );
    tf.dispose([input, relevance, expected]);
    block.dispose();
  });

  it('attention-value: the gradient of a fused Q‖K‖V projection through V only', () => {
    class Qkv extends Module {
      readonly kernel = this.registerParameter('kernel', seededTensor([4, 12], 71, 2));
      readonly bias = this.registerParameter('bias', seededTensor([12], 72, 1));
      forwardWith(v: tf.Tensor, { kernel, bias }: LrpParameters): tf.Tensor {
        return tf.add(tf.matMul(v as tf.Tensor2D, kernel as tf.Tensor2D), bias as tf.Tensor);
      }
      forward(v: tf.Tensor): tf.Tensor {
        return this.forwardWith(v, this);
      }
    }
    class Attention extends Module {
      readonly qkv = this.registerModule('qkv', new Qkv());
      forward(v: tf.Tensor): tf.Tensor {
        return this.qkv.call(v);
      }
    }
    const attention = new Attention();
    const input = seededTensor([3, 4], 73, 4);
    const relevance = seededTensor([3, 12], 74, 2);
    // Q and K constant: only the V columns of the projection carry the gradient.
    const expected = tf.tidy(() => {
      const valueKernel = tf.slice(attention.qkv.kernel, [0, 8], [4, 4]);
      return tf.grad((v: tf.Tensor) =>
        tf.sum(
          tf.mul(
            tf.matMul(v as tf.Tensor2D, valueKernel as tf.Tensor2D),
            tf.slice(relevance, [0, 8], [3, 4]),
          ),
        ),
      )(input);
    });
    expect(relevanceOf(attention, 'qkv', lrpRule.attentionValue(), input, relevance)).toBeCloseToTensor(
      expected.dataSync(),
      { rtol: 1e-5, atol: 1e-6 },
    );
    tf.dispose([input, relevance, expected]);
    attention.dispose();
  });

  it('norm on a two-input merge Module (lrpKind merge) shares relevance between both inputs', () => {
    class ResidualAdd extends Module<[tf.Tensor, tf.Tensor]> {
      readonly lrpKind = 'merge';
      forward(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
        return tf.add(a, b);
      }
    }
    class Residual extends Module {
      readonly skip = this.registerModule('skip', new Lambda('identity', (v: tf.Tensor) => tf.clone(v)));
      readonly branch = this.registerModule('branch', new Lambda('identity', (v: tf.Tensor) => tf.mul(v, 3)));
      readonly add = this.registerModule('add', new ResidualAdd());
      forward(v: tf.Tensor): tf.Tensor {
        return this.add.call(this.skip.call(v), this.branch.call(v));
      }
    }
    const model = new Residual();
    const input = seededTensor([2, 5], 81, 2);
    const relevance = seededTensor([2, 5], 82, 2);
    using prepared = lrp({
      rules: { paths: { add: lrpRule.norm(0) } },
      target: { select: (output: tf.Tensor) => tf.sum(tf.mul(output, relevance), -1) },
      modules: ['skip', 'branch'],
      onWarning: () => undefined,
    }).prepare(model);
    using data = new TensorDict({ input: tf.clone(input) }, { batchShape: [2] });
    using result = prepared.run(data);
    // a = x and b = 3x: the norm rule gives a·R/(a + b) = R/4 to the skip and 3R/4 to the branch, Σ = R.
    const quarter = tf.tidy(() => Array.from(tf.div(relevance, 4).dataSync()));
    expect(result.getTensor(['attr', 'skip']).dataSync()).toBeCloseToTensor(quarter, {
      rtol: 1e-5,
      atol: 1e-6,
    });
    expect(result.getTensor(['attr', 'branch']).dataSync()).toBeCloseToTensor(
      quarter.map((r) => 3 * r),
      { rtol: 1e-5, atol: 1e-6 },
    );
    tf.dispose([input, relevance]);
    model.dispose();
  });
});
