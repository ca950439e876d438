// Saliency and input × gradient for a small classifier, on a batch of 4.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TensorDict } from '@tdhook/core';
import { saliency } from '@tdhook/attribution';

export function example(): void {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        units: 8,
        inputShape: [4],
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
      }),
      tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  using data = new TensorDict({ input: tf.randomNormal([4, 4], 0, 1, 'float32', 7) }, { batchShape: [4] });

  using prepared = saliency({ target: { select: 'argmax' }, multiplyByInputs: true }).prepare(model);
  using result = prepared.run(data);
  result.getTensor(['attr', 'input']).print(); // [4, 4]: input × gradient of each sample's predicted class

  model.dispose();
}
