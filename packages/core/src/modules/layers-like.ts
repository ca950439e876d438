import type * as tf from '@tensorflow/tfjs-core';

/**
 * What tdhook needs of a TF.js Layers layer or model (`tf.layers.Layer`, `LayersModel`, `Sequential`), read
 * structurally so that `@tdhook/core` does not depend on `@tensorflow/tfjs-layers`.
 *
 * @example
 * const model: LayersLike = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [8], name: 'fc1' })] });
 */
export interface LayersLike {
  readonly name: string;
  getClassName(): string;
  apply(inputs: unknown, kwargs?: Record<string, unknown>): unknown;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
  /** Containers (`LayersModel`, `Sequential`) list their layers. */
  readonly layers?: readonly LayersLike[];
  /** Wrappers (`TimeDistributed`, `Bidirectional`) hold the wrapped layer. */
  readonly layer?: LayersLike;
  readonly weights?: readonly { readonly name: string; read(): tf.Tensor; write(value: tf.Tensor): void }[];
}

/**
 * True for a TF.js Layers layer or model (any copy of tfjs-layers).
 *
 * @example
 * isLayersLike(tf.layers.dense({ units: 2 })); // true
 */
export function isLayersLike(value: unknown): value is LayersLike {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.name === 'string' &&
    typeof candidate.getClassName === 'function' &&
    typeof candidate.apply === 'function' &&
    typeof candidate.call === 'function'
  );
}
