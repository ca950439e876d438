import type * as tf from '@tensorflow/tfjs-core';

/** Which TensorDict (the innermost one) owns a tensor, and under which segment of it. */
export interface TensorOwner {
  readonly dict: object;
  readonly segment: string;
}

// Module-wide, so that one tensor handle cannot be owned by two TensorDicts (or two entries of one): that
// would dispose it twice and leave the other entry dangling. Weak, so that it never keeps a tensor alive.
const owners = new WeakMap<tf.Tensor, TensorOwner>();

/**
 * The TensorDict entry that owns `tensor`, if any.
 *
 * @example
 * tensorOwner(td.getTensor('x')); // { dict: td, segment: 'x' }
 */
export function tensorOwner(tensor: tf.Tensor): TensorOwner | undefined {
  return owners.get(tensor);
}

/**
 * Records that `dict` owns `tensor` under `segment`.
 *
 * @example
 * claimTensor(tensor, dict, 'x');
 */
export function claimTensor(tensor: tf.Tensor, dict: object, segment: string): void {
  owners.set(tensor, { dict, segment });
}

/**
 * Forgets the owner of `tensor` (before disposing it or handing it back).
 *
 * @example
 * releaseTensor(tensor);
 */
export function releaseTensor(tensor: tf.Tensor): void {
  owners.delete(tensor);
}
