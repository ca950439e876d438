// One rule applied to one module call: the input relevance from the inputs, the output and the output
// relevance. Also checks, when rules are mapped, that a rule has the layer math it needs.
import * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError } from '@tdhook/core';

import type { LinearPart, LrpLayer } from './layer-types.js';
import {
  alphaBetaRelevance,
  epsilonRelevance,
  gammaRelevance,
  inputFreeRelevance,
  stabilize,
  valueOnlyRelevance,
} from './linear-rules.js';
import type { LrpRule } from './rules.js';

const needsLinear = new Set<LrpRule['rule']>([
  'epsilon',
  'norm',
  'uniform-epsilon',
  'z-plus',
  'alpha-beta',
  'gamma',
  'w-square',
  'flat',
  'attention-value',
]);

/**
 * Throws when `rule` cannot run on `layer` (a linear rule on a layer without a linear part, the layer-norm
 * rule on something else, w² without weights, an unsupported configuration).
 */
export function checkRuleFits(rule: LrpRule, layer: LrpLayer, path: string): void {
  const where = `LRP rule for module '${path}' (${layer.description})`;
  const refuse = (what: string): never => {
    throw new InvalidValueError({
      what,
      where,
      fix: "Map this module to a rule it supports ('pass', 'ignore', 'stop', ...), or skip it.",
    });
  };
  if (layer.unsupported !== undefined && (needsLinear.has(rule.rule) || rule.rule === 'layer-norm')) {
    refuse(`The ${rule.rule} rule cannot run on this layer: LRP does not support ${layer.unsupported}`);
  }
  if (needsLinear.has(rule.rule) && layer.linear === undefined) {
    refuse(
      `The ${rule.rule} rule needs a linear layer (dense, convolution, batch norm, pooling, merge), and this ${layer.kind} module has no linear part LRP knows`,
    );
  }
  if (rule.rule === 'layer-norm' && layer.layerNorm === undefined) {
    refuse(`The layer-norm rule needs a layer normalisation, and this is a ${layer.kind} module`);
  }
  if (rule.rule === 'w-square' && layer.linear !== undefined) {
    const hasKernel = tf.tidy(() => layer.linear?.parameters().kernel !== undefined);
    if (!hasKernel) refuse('The w-square rule needs a layer with weights');
  }
}

function sameShape(a: tf.Tensor, b: tf.Tensor): boolean {
  return a.rank === b.rank && a.shape.every((size, axis) => size === b.shape[axis]);
}

const elementwise = new Set<LrpRule['rule']>(['pass', 'pseudo-identity', 'softmax-epsilon', 'layer-norm']);

/**
 * Checks one module call against what `rule` needs of its inputs and output. Runs in the forward pass, so
 * that a mismatch is reported before any backward step.
 */
export function checkRuleCall(
  rule: LrpRule,
  layer: LrpLayer,
  xs: readonly tf.Tensor[],
  output: tf.Tensor,
  path: string,
): void {
  const where = `LRP rule for module '${path}' (${layer.description})`;
  const [x] = xs;
  const needsOneLikeOutput = elementwise.has(rule.rule);
  if (
    (needsOneLikeOutput && (xs.length !== 1 || x === undefined || !sameShape(x, output))) ||
    (rule.rule === 'uniform' && xs.some((input) => !sameShape(input, output)))
  ) {
    throw new InvalidValueError({
      what: `The ${rule.rule} rule needs ${needsOneLikeOutput ? 'one input' : 'inputs'} shaped like the output; the module got ${xs.length} input(s) ${xs
        .map((input) => JSON.stringify(input.shape))
        .join(', ')} for an output ${JSON.stringify(output.shape)}`,
      where,
      fix: 'Use it on elementwise modules (activations, normalisations), or map this module to another rule.',
    });
  }
  const width = output.shape[output.rank - 1] ?? 0;
  if (rule.rule === 'attention-value' && width % 3 !== 0) {
    throw new InvalidValueError({
      what: `The attention-value rule needs a fused Q‖K‖V output (last axis a multiple of 3), got ${width}`,
      where,
      fix: 'Map it to the projection that computes queries, keys and values together.',
    });
  }
}

function layerNormRelevance(layer: LrpLayer, x: tf.Tensor, relevance: tf.Tensor): tf.Tensor {
  const norm = layer.layerNorm as NonNullable<LrpLayer['layerNorm']>;
  const axes = norm.axes.map((axis) => (axis < 0 ? x.rank + axis : axis));
  const mean = tf.mean(x, axes, true);
  // The standard deviation is a constant here: the rule is the gradient of γ·(x − mean)/std + β with std fixed.
  const std = tf.sqrt(tf.add(tf.mean(tf.square(tf.sub(x, mean)), axes, true), norm.epsilon));
  const gamma = norm.gamma();
  const broadcast = x.shape.map((size, axis) => (axes.includes(axis) ? size : 1));
  const scaled = gamma === undefined ? relevance : tf.mul(relevance, tf.reshape(gamma, broadcast));
  const gradient = tf.div(scaled, std);
  return tf.sub(gradient, tf.mean(gradient, axes, true));
}

/**
 * The input relevance of one module call under `rule` (checked by {@link checkRuleCall}): one tensor per input, shaped like it. `output` is the
 * module's output (after any fused activation) and `relevance` the relevance of that output.
 */
export function inputRelevance(
  rule: LrpRule,
  layer: LrpLayer,
  xs: readonly tf.Tensor[],
  output: tf.Tensor,
  relevance: tf.Tensor,
  path: string,
): tf.Tensor[] {
  // Shapes were checked in the forward pass (checkRuleCall); single-input rules read x.
  const x = xs[0] as tf.Tensor;
  const linear = (): LinearPart => {
    if (layer.linear === undefined) checkRuleFits(rule, layer, path);
    return layer.linear as LinearPart;
  };
  switch (rule.rule) {
    case 'epsilon':
      return epsilonRelevance(linear(), xs, relevance, rule.epsilon);
    case 'uniform-epsilon':
      return epsilonRelevance(linear(), xs, relevance, rule.epsilon, xs.length);
    case 'norm':
      return epsilonRelevance(linear(), xs, relevance, rule.stabilizer);
    case 'z-plus':
      return alphaBetaRelevance(linear(), xs, relevance, 1, 0, rule.stabilizer);
    case 'alpha-beta':
      return alphaBetaRelevance(linear(), xs, relevance, rule.alpha, rule.beta, rule.stabilizer);
    case 'gamma':
      return gammaRelevance(linear(), xs, relevance, rule.gamma, rule.stabilizer);
    case 'w-square':
      return inputFreeRelevance(linear(), xs, relevance, 'square', rule.stabilizer);
    case 'flat':
      return inputFreeRelevance(linear(), xs, relevance, 'flat', rule.stabilizer);
    case 'attention-value':
      return valueOnlyRelevance(linear(), xs, relevance);
    case 'pass':
      return [tf.clone(relevance)];
    case 'pseudo-identity':
      return [tf.mul(tf.div(output, stabilize(x, rule.stabilizer)), relevance)];
    case 'softmax-epsilon':
      return [tf.mul(tf.sub(relevance, tf.mul(output, tf.sum(relevance, layer.softmaxAxis ?? -1, true))), x)];
    case 'layer-norm':
      return [layerNormRelevance(layer, x, relevance)];
    case 'uniform':
      return xs.map(() => tf.div(relevance, xs.length));
    case 'stop':
    case 'ignore':
      return xs.map((x) => tf.zerosLike(x));
  }
}
