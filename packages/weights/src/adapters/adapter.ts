import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';
import { describeStructure, isTensor } from '@tdhook/core/plugin';

/**
 * What a function {@link Adapter} gets besides the value it rewrites: the adapter's name (its key in the
 * `adapters` option) and the output it replaces (the `to` module's output; for an in-place adapter the same
 * tensor as the value). Both tensors are lent for the call.
 *
 * @example
 * const zeros: Adapter = (_value, { output }: AdapterContext) => tf.zerosLike(output);
 */
export interface AdapterContext {
  readonly name: string;
  readonly output: tf.Tensor;
}

/**
 * What replaces a module's output: a function `(value, context) => tensor`, or any object with `call(value)`,
 * such as a tdhook Module (a `SparseAutoencoder`'s call returns the reconstruction, a `Transcoder`'s the
 * prediction). `value` is the captured `from` output (the `to` output itself for an in-place adapter); the
 * result must have the replaced output's shape and dtype.
 *
 * @example
 * const doubling: Adapter = (value) => tf.mul(value, 2);
 * const dictionary: Adapter = sparseAutoencoder; // any { call(value): tf.Tensor }
 */
export type Adapter =
  ((value: tf.Tensor, context: AdapterContext) => tf.Tensor) | { call(value: tf.Tensor): tf.Tensor };

/**
 * True when `adapter` is an {@link Adapter}: a function, or an object with a `call` method.
 *
 * @example
 * isAdapter((value: tf.Tensor) => value); // true
 * isAdapter({ forward: () => undefined }); // false
 */
export function isAdapter(adapter: unknown): adapter is Adapter {
  if (typeof adapter === 'function') return true;
  return (
    typeof adapter === 'object' &&
    adapter !== null &&
    typeof (adapter as { call?: unknown }).call === 'function'
  );
}

/**
 * Calls an adapter on `value` and checks what it returned: a tensor of the replaced output's shape and dtype,
 * else a typed error naming the adapter and the module.
 *
 * @example
 * const replaced = callAdapter(adapter, captured, { name: 'sae', output }, 'blocks.0.hook_resid_post', 'weights/adapters');
 */
export function callAdapter(
  adapter: Adapter,
  value: tf.Tensor,
  context: AdapterContext,
  to: string,
  where: string,
): tf.Tensor {
  // A function is called as one (a function has a `call` too: Function.prototype.call).
  const result: unknown = typeof adapter === 'function' ? adapter(value, context) : adapter.call(value);
  const { output, name } = context;
  if (!isTensor(result)) {
    throw new InvalidValueError({
      what: `Adapter '${name}' returned ${describeStructure(result)} for '${to}', not a tensor`,
      where,
      fix: `Return a tensor shaped like '${to}'s output, [${output.shape.join(', ')}].`,
    });
  }
  const sameShape =
    result.rank === output.rank && result.shape.every((size, axis) => size === output.shape[axis]);
  if (!sameShape) {
    throw new ShapeMismatchError({
      what: `Adapter '${name}' returned shape [${result.shape.join(', ')}], but the output of '${to}' it replaces has shape [${output.shape.join(', ')}]`,
      where,
      fix: `Make the adapter map its input [${value.shape.join(', ')}] to [${output.shape.join(', ')}] (e.g. a SparseAutoencoder with inputSize ${String(output.shape[output.rank - 1])}).`,
    });
  }
  if (result.dtype !== output.dtype) {
    throw new InvalidValueError({
      what: `Adapter '${name}' returned a ${result.dtype} tensor, but the output of '${to}' it replaces is ${output.dtype}`,
      where,
      fix: `Cast the adapter's result to ${output.dtype}.`,
    });
  }
  return result;
}
