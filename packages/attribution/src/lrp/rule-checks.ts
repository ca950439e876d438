// The checks of the built-in rules: what a rule needs of its layer (checked when LRP is prepared) and of each
// call (checked in the forward pass). Each returns why the rule cannot run, or undefined.
import * as tf from '@tensorflow/tfjs-core';

import type { LrpLayer } from './layer-types.js';
import type { LrpModuleCall } from './lrp-rule.js';

/** For rules that recompute the layer's linear part (ε, z⁺, α-β, γ, w², flat, attention-value). */
export function needsLinear(name: string, options: { readonly weights?: boolean } = {}) {
  return (layer: LrpLayer): string | undefined => {
    if (layer.unsupported !== undefined) {
      return `The ${name} rule cannot run on this layer: LRP does not support ${layer.unsupported}`;
    }
    if (layer.linear === undefined) {
      return `The ${name} rule needs a linear layer (dense, convolution, batch norm, pooling, merge), and this ${layer.kind} module has no linear part LRP knows`;
    }
    if (options.weights === true) {
      const linear = layer.linear;
      const hasKernel = tf.tidy(() => linear.parameters().kernel !== undefined);
      if (!hasKernel) return `The ${name} rule needs a layer with weights`;
    }
    return undefined;
  };
}

/** For the layer-norm rule. */
export function needsLayerNorm(layer: LrpLayer): string | undefined {
  if (layer.unsupported !== undefined) {
    return `The layer-norm rule cannot run on this layer: LRP does not support ${layer.unsupported}`;
  }
  return layer.layerNorm === undefined
    ? `The layer-norm rule needs a layer normalisation, and this is a ${layer.kind} module`
    : undefined;
}

function sameShape(a: tf.Tensor, b: tf.Tensor): boolean {
  return a.rank === b.rank && a.shape.every((size, axis) => size === b.shape[axis]);
}

const shapes = ({ inputs, output }: LrpModuleCall): string =>
  `the module got ${inputs.length} input(s) ${inputs.map((input) => JSON.stringify(input.shape)).join(', ')} for an output ${JSON.stringify(output.shape)}`;

/** For elementwise rules (pass, pseudo-identity, softmax-ε, layer-norm): one input shaped like the output. */
export function needsOneLikeOutput(name: string) {
  return (call: LrpModuleCall): string | undefined => {
    const [x] = call.inputs;
    return call.inputs.length === 1 && x !== undefined && sameShape(x, call.output)
      ? undefined
      : `The ${name} rule needs one input shaped like the output (use it on elementwise modules); ${shapes(call)}`;
  };
}

/** For the uniform rule: every input shaped like the output. */
export function needsInputsLikeOutput(name: string) {
  return (call: LrpModuleCall): string | undefined =>
    call.inputs.every((input) => sameShape(input, call.output))
      ? undefined
      : `The ${name} rule needs inputs shaped like the output; ${shapes(call)}`;
}

/** For the attention-value rule: a fused Q‖K‖V output. */
export function needsFusedQkv({ output }: LrpModuleCall): string | undefined {
  const width = output.shape[output.rank - 1] ?? 0;
  return width % 3 === 0
    ? undefined
    : `The attention-value rule needs a fused Q‖K‖V output (last axis a multiple of 3), got ${width}; map it to the projection that computes queries, keys and values together`;
}
