import * as tf from '@tensorflow/tfjs-core';
import { gradCam } from '@tdhook/attribution';
import { TensorDict } from '@tdhook/core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/**
 * The largest value of each image's Grad-CAM map before Grad-CAM's ReLU, at the layer's own resolution,
 * and that resolution: a map whose largest value is ≤ 0 becomes 0 everywhere after the ReLU, which is why
 * its tile is empty. Explains the predicted class, as explainImages does.
 */
export function camPeaksBeforeRelu(
  model: LayersModel,
  images: tf.Tensor4D,
  layer: string,
): { peaks: number[]; size: string } {
  using prepared = gradCam({
    target: { select: 'argmax' },
    layers: layer,
    relu: false,
    upsample: false,
  }).prepare(model);
  using data = new TensorDict({ input: tf.clone(images) }, { batchShape: [images.shape[0]] });
  using result = prepared.run(data);
  const cam = result.getTensor(['attr', layer]);
  const peaks = tf.tidy(() =>
    Array.from(
      tf
        .max(
          cam,
          cam.shape.slice(1).map((_, axis) => axis + 1),
        )
        .dataSync(),
    ),
  );
  return { peaks, size: cam.shape.slice(1, 3).join('×') };
}
