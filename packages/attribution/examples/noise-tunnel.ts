// SmoothGrad and VarGrad for a small classifier on a batch of 4: saliency averaged over 20 noisy copies of
// the input, and integrated gradients smoothed the same way.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TensorDict } from '@tdhook/core';
import { integratedGradients, noiseTunnel, saliency } from '@tdhook/attribution';

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

  // SmoothGrad: the mean gradient of class 1 over 20 copies with N(0, 0.2²) noise (seeded: reproducible).
  {
    const smoothGrad = noiseTunnel(saliency({ target: { select: 1 } }), { samples: 20, stdev: 0.2, seed: 1 });
    using prepared = smoothGrad.prepare(model);
    using result = prepared.run(data);
    result.getTensor(['attr', 'input']).print(); // [4, 4]
  }

  // VarGrad over integrated gradients, 5 copies per run of integrated gradients.
  {
    const ig = integratedGradients({ target: { select: 1 }, baselines: 0, steps: 16 });
    using prepared = noiseTunnel(ig, {
      samples: 10,
      stdev: 0.2,
      kind: 'vargrad',
      samplesPerPass: 5,
      seed: 1,
    }).prepare(model);
    using result = prepared.run(data);
    result.getTensor(['attr', 'input']).print(); // [4, 4]: the variance of IG under the noise
  }

  model.dispose();
}
