// Concept relevance propagation (CRP): find the channel of a layer that carries a concept (RelMax), then
// explain the prediction through that channel alone (LRP conditioned on it).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TensorDict, Workflow } from '@tdhook/core';
import {
  conceptChannelGradient,
  conceptSelection,
  lrp,
  readConceptSelection,
  relMax,
} from '@tdhook/attribution';

export function example(): void {
  const seed = (value: number): ReturnType<typeof tfl.initializers.glorotUniform> =>
    tfl.initializers.glorotUniform({ seed: value });
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        filters: 6,
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
  // Four images; the first two show the concept (label 1), the others do not (label 0).
  using data = new TensorDict(
    {
      input: tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 7),
      concept_labels: tf.tensor1d([1, 1, 0, 0], 'int32'),
    },
    { batchShape: [4] },
  );
  const options = { composite: 'epsilonPlus', target: { select: 'argmax' } } as const;

  // 1. LRP with the relevance of conv's output ([4, 8, 8, 6]), then RelMax on it, in one workflow.
  const selection = new Workflow([
    lrp({ ...options, modules: ['conv'] }),
    conceptSelection({ relevanceKey: ['attr', 'conv'] }),
  ]);
  const { data: selected } = selection.run(model, data);
  selected.getTensor(['metrics', 'concept_selection', 'scores']).print(); // [4, 6]: one score per channel
  const { channel, direction } = readConceptSelection(selected); // the same for the whole batch
  console.log(`concept channel of conv: ${channel} (direction ${direction})`);

  // The same selection as plain numbers, straight from the relevance tensor.
  console.log(relMax(selected.getTensor(['attr', 'conv']), [1, 1, 0, 0]).channel === channel); // true

  // 2. LRP conditioned on that channel: the relevance reaching conv's output is masked to it.
  {
    using conditioned = lrp({
      ...options,
      attributionKey: 'conditioned',
      outputGradients: { conv: conceptChannelGradient({ channel, direction }) },
    }).prepare(model);
    using result = conditioned.run(selected);
    result.getTensor(['conditioned', 'input']).print(); // [4, 8, 8, 1]: each pixel's relevance via the channel
  }

  selected.dispose();
  model.dispose();
}
