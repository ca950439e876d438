// LRP with a composite built here: a rule written with defineLrpRule, zennit's base map, and the batch-norm
// canonizer; describe({ model }) shows which rule runs on which module.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TensorDict } from '@tdhook/core';
import {
  defineLrpComposite,
  defineLrpRule,
  lrp,
  lrpBaseEntries,
  lrpCanonizer,
  lrpRule,
  type LrpLinearPart,
} from '@tdhook/attribution';

export function example(): void {
  const seed = (value: number): ReturnType<typeof tfl.initializers.glorotUniform> =>
    tfl.initializers.glorotUniform({ seed: value });
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 8, inputShape: [4], kernelInitializer: seed(1), name: 'fc1' }),
      tfl.layers.batchNormalization({ name: 'bn1' }),
      tfl.layers.activation({ activation: 'relu', name: 'relu1' }),
      tfl.layers.dense({ units: 3, kernelInitializer: seed(2), name: 'fc2' }),
    ],
  });

  // LRP-ε with a larger ε, written against the rule interface: the layer's linear part and gradients().
  const epsilon = 0.01;
  const myEpsilon = defineLrpRule({
    name: 'acme/epsilon',
    params: { epsilon },
    check: (layer) => (layer.linear === undefined ? 'needs a linear layer' : undefined),
    relevance: ({ inputs, relevance, layer, gradients }) => {
      const linear = layer.linear as LrpLinearPart;
      const params = linear.parameters();
      const z = linear.apply(inputs, params);
      const sign = tf.sub(tf.mul(tf.cast(tf.greaterEqual(z, 0), 'float32'), 2), 1);
      const share = tf.div(relevance, tf.add(z, tf.mul(sign, epsilon)));
      const transposed = gradients((...xs) => linear.apply(xs, params), inputs, share);
      return inputs.map((x, index) => tf.mul(x, transposed[index] as tf.Tensor));
    },
  });

  const composite = defineLrpComposite({
    name: 'acme/flat-input',
    entries: [
      { match: { kinds: ['dense'], first: true }, rule: lrpRule.flat() }, // the first dense layer
      { match: { kinds: ['dense'] }, rule: myEpsilon },
      ...lrpBaseEntries(),
    ],
    canonizers: [lrpCanonizer.mergeBatchNorm()], // bn1 is folded into fc1 while LRP is prepared
  });
  const method = lrp({ composite, target: { select: 'argmax' } });
  // fc1 ← bn1 merged, bn1 made the identity, flat on fc1, pass on bn1 and relu1, acme/epsilon on fc2.
  console.log(JSON.stringify(method.describe({ model })));

  using data = new TensorDict({ input: tf.randomNormal([2, 4], 0, 1, 'float32', 3) }, { batchShape: [2] });
  {
    using prepared = method.prepare(model);
    using result = prepared.run(data);
    result.getTensor(['attr', 'input']).print(); // [2, 4]
  } // restored: bn1 and fc1 have their own weights again

  model.dispose();
}
