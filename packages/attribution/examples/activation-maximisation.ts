// Activation maximisation: inputs in [0, 1] that drive unit 2 of a hidden layer (before its ReLU) up, by
// gradient ascent.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TensorDict } from '@tdhook/core';
import { activationMaximisation } from '@tdhook/attribution';

export function example(): void {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        units: 8,
        inputShape: [4],
        name: 'hidden',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
      }),
      tfl.layers.reLU(),
      tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  // The starting points: the ascent begins from the inputs in the TensorDict.
  using data = new TensorDict({ input: tf.fill([2, 4], 0.5) }, { batchShape: [2] });

  using prepared = activationMaximisation({
    modules: ['hidden'],
    select: 2,
    alpha: 0.5,
    steps: 20,
    min: 0,
    max: 1,
  }).prepare(model);
  using result = prepared.run(data);
  result.getTensor(['attr', 'input']).print(); // [2, 4]: the optimised inputs, clamped to [0, 1]

  model.dispose();
}
