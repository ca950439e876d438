import type * as tf from '@tensorflow/tfjs-core';

/**
 * Where a module's parameters come from while it is built: given the parameter's own name (`'weight'`) and
 * shape, it returns the variable the module keeps. {@link HookedTransformer.create} draws them at random,
 * {@link HookedTransformer.fromGpt2Weights} copies checkpoint tensors; both record what they hand out so
 * that a failed build disposes it.
 *
 * @example
 * const zeros: ParameterSource = (_name, shape) => tf.variable(tf.zeros(shape));
 * const fc = new Conv1D(64, 256, zeros);
 */
export type ParameterSource = (name: string, shape: readonly number[]) => tf.Variable;

/**
 * A parameter source for the child `child` of a module: prefixes the names it asks for with `child.`.
 *
 * @example
 * const forAttention = childSource(source, 'attn'); // asks for 'attn.c_attn.weight', …
 */
export function childSource(source: ParameterSource, child: string): ParameterSource {
  return (name, shape) => source(`${child}.${name}`, shape);
}
