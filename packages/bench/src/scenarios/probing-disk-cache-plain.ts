// The hand-written baseline of probing-disk-cache: what one writes without tdhook to keep every layer's
// output over a dataset. A plain TF.js forward that applies the layers one by one and keeps each output, then
// each output's bytes appended to one raw float32 file per layer (row-major, rows in dataset order).
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import { mnistBatches } from './probing-mnist.js';

/** Every layer's output for one batch: the plain forward, layer after layer. */
function forwardKeepingEveryLayer(model: LayersModel, images: tf.Tensor): tf.Tensor[] {
  return tf.tidy(() => {
    let x = images;
    return model.layers.map((layer) => (x = layer.apply(x) as tf.Tensor));
  });
}

/**
 * Caches every layer of a Layers model over the first `total` MNIST test images to `dir`, by hand: for each
 * batch, the forward pass keeping each layer's output, then those outputs read back and appended to
 * `<dir>/<layer>.f32`. Holds one batch's activations at a time.
 *
 * @example
 * await plainDiskCache(model, 10_000, 500, '/tmp/activations');
 */
export async function plainDiskCache(
  model: LayersModel,
  total: number,
  batch: number,
  dir: string,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const files = model.layers.map((layer) => openSync(join(dir, `${layer.name}.f32`), 'w'));
  try {
    for await (const { images } of mnistBatches(total, batch)) {
      const outputs = forwardKeepingEveryLayer(model, images);
      images.dispose();
      try {
        for (const [index, output] of outputs.entries()) {
          const values = (await output.data()) as Float32Array;
          writeSync(
            files[index] as number,
            new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
          );
        }
      } finally {
        tf.dispose(outputs);
      }
    }
  } finally {
    for (const file of files) closeSync(file);
  }
}
