// The MNIST CNN of @tdhook/cv-assets and its test images, read batch by batch from the IDX files so that no
// variant holds the dataset in memory. Loaded as the rest of the repository loads it (@tdhook/adapter-cv's
// loadModel); both are imported when a variant is set up, so the suite loads without them.
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/**
 * The MNIST CNN (layers conv1, pool1, conv2, pool2, flatten, fc1, logits) and what frees it.
 *
 * @example
 * const { model, dispose } = await loadMnistCnn();
 */
export interface MnistCnn {
  readonly model: LayersModel;
  /** Its layers' names, in order: every layer is cached. */
  readonly layerNames: readonly string[];
  dispose(): void;
}

/**
 * Loads the MNIST CNN of @tdhook/cv-assets with @tdhook/adapter-cv's `loadModel`.
 *
 * @example
 * const cnn = await loadMnistCnn();
 * cnn.dispose();
 */
export async function loadMnistCnn(): Promise<MnistCnn> {
  const [{ loadModel }, { mnistCnnDir }] = await Promise.all([
    import('@tdhook/adapter-cv'),
    import('@tdhook/cv-assets'),
  ]);
  const loaded = await loadModel(mnistCnnDir);
  if (loaded.kind !== 'layers') throw new Error('the MNIST CNN is a Layers model');
  return {
    model: loaded.model,
    layerNames: loaded.model.layers.map((layer) => layer.name),
    dispose: () => {
      loaded.dispose();
    },
  };
}

/**
 * A batch of MNIST test images, `[count, 28, 28, 1]` in [0, 1] (the model's input), and where it starts.
 *
 * @example
 * for (const { start, images } of mnistBatches(1000, 250)) images.dispose();
 */
export interface MnistBatch {
  readonly start: number;
  readonly images: tf.Tensor4D;
}

/**
 * The first `total` MNIST test images in batches of `batch`, each read from the IDX file when it is asked for;
 * the caller disposes each batch's tensor.
 *
 * @example
 * for await (const { images } of mnistBatches(10_000, 500)) images.dispose();
 */
export async function* mnistBatches(total: number, batch: number): AsyncGenerator<MnistBatch> {
  const { mnistCnnInput, readMnist } = await import('@tdhook/cv-assets');
  const [height, width] = mnistCnnInput.size;
  for (let start = 0; start < total; start += batch) {
    const count = Math.min(batch, total - start);
    const { images } = readMnist('test', start, count);
    yield { start, images: tf.tensor4d(images, [count, height, width, mnistCnnInput.channels]) };
  }
}

/**
 * Bytes of every layer's float32 activations for one image: a cache of `n` images holds n times this.
 *
 * @example
 * const { model } = await loadMnistCnn();
 * activationBytesPerImage(model); // 38,152 for the MNIST CNN
 */
export function activationBytesPerImage(model: LayersModel): number {
  return model.layers.reduce((bytes, layer) => {
    const shape = layer.outputShape as (number | null)[];
    return bytes + 4 * shape.slice(1).reduce<number>((size, dim) => size * (dim ?? 1), 1);
  }, 0);
}
