// Several methods in one Workflow: saliency, integrated gradients and LRP with a faithfulness metric on a
// small classifier, then the concept pipeline (LRP → RelMax → LRP conditioned on the selected channel) on a
// small CNN, and a workflow prepared once and run at every step. docs/workflows.md quotes this file; a test checks that every snippet there is in it.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { defineOperator, TensorDict, Workflow } from '@tdhook/core';
import {
  conceptSelection,
  infidelity,
  integratedGradients,
  lrp,
  saliency,
  selectedChannelGradient,
} from '@tdhook/attribution';

const seed = (value: number): ReturnType<typeof tfl.initializers.glorotUniform> =>
  tfl.initializers.glorotUniform({ seed: value });

function classifier(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 8, inputShape: [4], activation: 'relu', kernelInitializer: seed(1) }),
      tfl.layers.dense({ units: 3, kernelInitializer: seed(2) }),
    ],
  });
}

function cnn(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        filters: 6,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        inputShape: [8, 8, 1],
        kernelInitializer: seed(3),
        name: 'conv',
      }),
      tfl.layers.flatten({ name: 'flatten' }),
      tfl.layers.dense({ units: 3, kernelInitializer: seed(4), name: 'logits' }),
    ],
  });
}

function methodsAndMetric(): void {
  const model = classifier();
  const data = new TensorDict({ input: tf.randomNormal([4, 4], 0, 1, 'float32', 7) }, { batchShape: [4] });

  const target = { select: 'argmax' } as const;
  const workflow = new Workflow([
    saliency({ target, attributionKey: 'saliency' }),
    integratedGradients({ target, attributionKey: 'ig', baselines: 0, steps: 32 }),
    lrp({ composite: 'epsilonPlus', target, attributionKey: 'lrp' }),
    infidelity({ model, target, attributionKey: 'saliency', samples: 10 }),
  ]);

  const plan = workflow.plan(model, data); // checks everything, runs nothing
  console.log(
    plan.modelPasses,
    plan.executions.map((execution) => execution.steps),
  );
  for (const decision of plan.decisions) console.log(decision.candidate, decision.reason);
  console.log(JSON.stringify(workflow.describe()));

  const { data: result } = workflow.run(model, data);
  try {
    result.getTensor(['saliency', 'input']).print(); // [4, 4], as saliency alone gives it
    result.getTensor(['ig', 'input']).print();
    result.getTensor(['lrp', 'input']).print();
    result.getTensor(['metrics', 'infidelity']).print(); // [4]
    result.getTensor('output').print(); // the model's output, published by every method
  } finally {
    result.dispose(); // the result is yours; `data` is left as it was
  }

  const meanRelevance = defineOperator({
    name: 'mean-relevance',
    inKeys: [['lrp', 'input']],
    outKeys: [['summary', 'relevance']],
    run: (input) =>
      new TensorDict(
        { summary: { relevance: tf.mean(input.getTensor(['lrp', 'input']), -1) } },
        { batchShape: input.batchShape },
      ),
  });
  const summarised = new Workflow([
    lrp({ composite: 'epsilon', target, attributionKey: 'lrp' }),
    meanRelevance,
  ]);
  const summary = summarised.run(model, data).data;
  summary.getTensor(['summary', 'relevance']).print(); // [4]
  summary.dispose();

  const twice = new Workflow([saliency({ target }), { update: saliency({ target, absolute: true }) }]);
  twice.run(model, data).data.dispose(); // ['attr', 'input'] holds |gradient|: the later step wins

  const steps = [saliency({ target }), lrp({ composite: 'epsilon', target, attributionKey: 'lrp' })];
  const separate = new Workflow(steps, { sharePasses: false });
  separate.run(model, data).data.dispose();

  data.dispose();
  model.dispose();
}

function conceptPipeline(): void {
  const model = cnn();
  const data = new TensorDict(
    {
      input: tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 7),
      concept_labels: tf.tensor1d([1, 1, 0, 0], 'int32'), // 1: the image shows the concept
    },
    { batchShape: [4] },
  );

  const options = { composite: 'epsilonPlus', target: { select: 'argmax' } } as const;
  const pipeline = new Workflow([
    lrp({ ...options, modules: ['conv'], inputs: [] }), // ['attr', 'conv']: [4, 8, 8, 6]
    conceptSelection({ relevanceKey: ['attr', 'conv'] }), // RelMax: ['metrics', 'concept_selection', …]
    lrp({ ...options, attributionKey: 'concept', outputGradients: { conv: selectedChannelGradient() } }),
  ]);
  const { data: result } = pipeline.run(model, data);
  try {
    result.getTensor(['metrics', 'concept_selection', 'channel']).print(); // the channel, once per sample
    result.getTensor(['concept', 'input']).print(); // [4, 8, 8, 1]: relevance through that channel alone
  } finally {
    result.dispose();
  }

  data.dispose();
  model.dispose();
}

function preparedOnce(): void {
  const model = classifier();
  const data = new TensorDict({ input: tf.randomNormal([1, 4], 0, 1, 'float32', 9) }, { batchShape: [1] });
  const target = { select: 'argmax' } as const;

  const perStep = new Workflow([
    saliency({ target, attributionKey: 'saliency' }),
    integratedGradients({ target, attributionKey: 'ig', baselines: 0, steps: 16 }),
  ]);
  const prepared = perStep.prepare(model); // every method installed once
  try {
    for (let step = 0; step < 3; step++) {
      const { data: result } = prepared.run(data); // what perStep.run(model, data) gives
      result.dispose();
    }
  } finally {
    prepared.restore(); // hooks removed: the model is exactly as before
  }

  data.dispose();
  model.dispose();
}

function restoringByHand(): void {
  const model = classifier();
  const data = new TensorDict({ input: tf.ones([2, 4]) }, { batchShape: [2] });

  const prepared = saliency({ target: { select: 'argmax' } }).prepare(model);
  try {
    const result = prepared.run(data);
    try {
      result.getTensor(['attr', 'input']).print();
    } finally {
      result.dispose();
    }
  } finally {
    prepared.restore(); // hooks removed: the model is exactly as before
  }

  data.dispose();
  model.dispose();
}

export function example(): void {
  methodsAndMetric();
  conceptPipeline();
  preparedOnce();
  restoringByHand();
}
