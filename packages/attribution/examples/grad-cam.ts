// Grad-CAM on the last convolution of a small image classifier, upsampled to the 16×16 input.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TensorDict } from '@tdhook/core';
import { gradCam } from '@tdhook/attribution';

export function example(): void {
  const seed = (value: number): ReturnType<typeof tfl.initializers.glorotUniform> =>
    tfl.initializers.glorotUniform({ seed: value });
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        inputShape: [16, 16, 1],
        kernelInitializer: seed(1),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        name: 'features',
        kernelInitializer: seed(2),
      }),
      tfl.layers.reLU(),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 3, kernelInitializer: seed(3) }),
    ],
  });
  using data = new TensorDict(
    { input: tf.randomUniform([2, 16, 16, 1], 0, 1, 'float32', 7) },
    { batchShape: [2] },
  );

  using prepared = gradCam({
    layers: 'features',
    target: { select: 'argmax' },
    relu: true, // the paper's map: positive evidence only
    upsample: 'bilinear',
  }).prepare(model);
  using result = prepared.run(data);
  const maps = result.getTensor(['attr', 'features']); // [2, 16, 16, 1]: where the predicted class was found
  const first = tf.tidy(() => tf.squeeze(tf.slice(maps, [0, 0, 0, 0], [1, -1, -1, 1]))); // image 0, [16, 16]
  first.print();
  first.dispose();

  model.dispose();
}
