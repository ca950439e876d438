// Guided backpropagation for a small classifier whose hidden layer has a (fused) ReLU, on a batch of 4.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TensorDict } from '@tdhook/core';
import { guidedBackprop } from '@tdhook/attribution';

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

  using prepared = guidedBackprop({ target: { select: 'argmax' } }).prepare(model);
  using result = prepared.run(data);
  result.getTensor(['attr', 'input']).print(); // [4, 4]: only positive gradients passed back through the ReLU

  model.dispose();
}
