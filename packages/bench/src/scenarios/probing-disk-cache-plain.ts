// The hand-written baselines of probing-disk-cache: what one writes without tdhook to keep every layer's
// output over a dataset. A plain TF.js forward that applies the layers one by one and keeps each output, then
// each output's bytes appended to one raw float32 file per layer (row-major, rows in dataset order); and the
// same with the durability of tdhook's shards (one file per batch, fsync, then rename), to tell the cost of
// crash safety from the rest.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
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

/** fsync of a folder, so that a rename in it survives a power loss (skipped where a folder cannot be synced). */
function syncFolder(dir: string): void {
  const handle = openSync(dir, 'r');
  try {
    fsyncSync(handle);
  } catch {
    // Windows cannot fsync a folder; the rename is atomic there all the same.
  } finally {
    closeSync(handle);
  }
}

/**
 * {@link plainDiskCache} with crash safety as tdhook's shards have it: each batch's outputs, layer after
 * layer, go to `<dir>/batch-<index>.f32.tmp`, which is synced to disk and then renamed to
 * `batch-<index>.f32` (the folder synced too). No manifest: the reader must know the layers' shapes.
 *
 * @example
 * await plainDurableDiskCache(model, 10_000, 500, '/tmp/activations');
 */
export async function plainDurableDiskCache(
  model: LayersModel,
  total: number,
  batch: number,
  dir: string,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  let index = 0;
  for await (const { images } of mnistBatches(total, batch)) {
    const outputs = forwardKeepingEveryLayer(model, images);
    images.dispose();
    const file = join(dir, `batch-${String(index).padStart(5, '0')}.f32`);
    try {
      const handle = openSync(`${file}.tmp`, 'w');
      try {
        for (const output of outputs) {
          const values = (await output.data()) as Float32Array;
          writeSync(handle, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
        }
        fsyncSync(handle);
      } finally {
        closeSync(handle);
      }
    } finally {
      tf.dispose(outputs);
    }
    renameSync(`${file}.tmp`, file);
    syncFolder(dir);
    index += 1;
  }
}
