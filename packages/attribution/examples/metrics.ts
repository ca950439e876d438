// Saliency for a small classifier, scored by infidelity (is it faithful to the model?) and sensitivity (is it
// robust to small input changes?), on a batch of 4.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TensorDict, Workflow } from '@tdhook/core';
import { infidelity, saliency, sensitivity } from '@tdhook/attribution';

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
  const target = { select: 'argmax' } as const;
  using data = new TensorDict({ input: tf.randomNormal([4, 4], 0, 1, 'float32', 7) }, { batchShape: [4] });

  // Step by step: attribute (|gradient|, captum's default saliency), then score the attributions.
  {
    using prepared = saliency({ target, absolute: true }).prepare(model);
    using attributed = prepared.run(data); // input, output and ['attr', 'input']
    using faithfulness = infidelity({ model, target, samples: 20, noiseScale: 0.2 }).run(attributed);
    using robustness = sensitivity({ method: prepared, radius: 0.2, samples: 5 }).run(attributed);
    faithfulness.getTensor(['metrics', 'infidelity']).print(); // [4]: lower is more faithful
    robustness.getTensor(['metrics', 'sensitivity', 'input']).print(); // [4]: lower is more robust
  }

  // Raw gradients, as one workflow: the metrics are operators that read what saliency wrote. A ReLU network
  // is linear between kinks, so its gradients are faithful (infidelity ≈ 0) until the noise crosses one.
  const workflow = new Workflow([
    saliency({ target }),
    infidelity({ model, target, samples: 20, noiseScale: 0.2 }),
    sensitivity({ method: saliency({ target }), model, radius: 0.2, samples: 5 }),
  ]);
  const { data: result } = workflow.run(model, data);
  result.getTensor(['metrics', 'infidelity']).print();
  result.getTensor(['metrics', 'sensitivity', 'input']).print();
  result.dispose();

  model.dispose();
}
