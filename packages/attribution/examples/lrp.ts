// Layer-wise relevance propagation (zennit's EpsilonPlus composite) for a small image classifier.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TensorDict } from '@tdhook/core';
import { lrp, lrpRule, mapLrpRules } from '@tdhook/attribution';

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
        inputShape: [8, 8, 1],
        kernelInitializer: seed(1),
        name: 'conv',
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tfl.layers.flatten({ name: 'flatten' }),
      tfl.layers.dense({ units: 3, kernelInitializer: seed(2), name: 'logits' }),
    ],
  });
  using data = new TensorDict(
    { input: tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 7) },
    { batchShape: [2] },
  );

  // z⁺ on convolutions, ε on dense layers; activations pass relevance, max pooling and flatten use the gradient.
  const options = { composite: 'epsilonPlus', target: { select: 'argmax' } } as const;
  console.log(mapLrpRules(model, options).map(({ path, rule }) => `${path}: ${rule?.name ?? 'none'}`));

  {
    using prepared = lrp(options).prepare(model);
    using result = prepared.run(data);
    result.getTensor(['attr', 'input']).print(); // [2, 8, 8, 1]: each pixel's relevance for the predicted class
  } // the model is restored here; one LRP at a time per model

  // Rules by module path win over the composite: here the first layer gets the flat rule.
  using flat = lrp({ ...options, rules: { paths: { conv: lrpRule.flat() } } }).prepare(model);
  using result = flat.run(data);
  const total = tf.sum(result.getTensor(['attr', 'input']), [1, 2, 3]);
  total.print(); // the relevance of each sample (bias and stabiliser absorb a little)
  total.dispose();

  model.dispose();
}
