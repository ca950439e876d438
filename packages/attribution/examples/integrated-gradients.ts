// Integrated gradients for a small classifier on a batch of 4: one class with its convergence delta, then
// all three classes in one call (one forward pass shared by the three backward passes of each chunk).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TensorDict } from '@tdhook/core';
import { classTargets, integratedGradients } from '@tdhook/attribution';

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

  // The predicted class, from a zero baseline, with 50 Gauss–Legendre steps (the defaults).
  {
    using prepared = integratedGradients({
      target: { select: 'argmax' },
      baselines: 0,
      convergenceDelta: true,
    }).prepare(model);
    using result = prepared.run(data);
    result.getTensor(['attr', 'input']).print(); // [4, 4]: sums to f(x) − f(0) per sample
    result.getTensor('convergence_delta').print(); // [4]: Σ attr − (f(x) − f(0)), the quadrature error
  }

  // Every class at once, at most 64 rows (16 steps × 4 samples) per model pass.
  {
    using prepared = integratedGradients({
      targets: classTargets([0, 1, 2]),
      baselines: 0,
      chunkSize: 64,
    }).prepare(model);
    using result = prepared.run(data);
    result.getTensor(['attr', 'class2', 'input']).print(); // [4, 4]: the attribution of class 2
  }

  model.dispose();
}
