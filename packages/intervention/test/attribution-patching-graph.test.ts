// attributionPatching on a TF.js Graph model (adapter-cv's GraphModule over the emotion CNN): channels of an
// inner node, between two face photos. The estimate equals Σ over positions of Δa ⊙ g, with a read by a hook
// and g by @tdhook/attribution's saliency at that node.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { HookSession, TensorDict } from '@tdhook/core';
import { saliency } from '@tdhook/attribution';
import { loadModel, readImageBatch, type GraphModule } from '@tdhook/adapter-cv';
import { emotionModelDir, photoPaths } from '@tdhook/cv-assets';

import { attributionPatching, unitSites, type PatchingMetric } from '../src/index.js';
import { useBackendPatches } from './gpt2-tiny-fixture.js';

useBackendPatches();
const node = '<StatefulPartitionedCall/model_1/conv2d_5/BiasAdd>';
let graph: GraphModule;
let faces: tf.Tensor4D;

beforeAll(async () => {
  graph = (await loadModel(emotionModelDir())).model as GraphModule;
  const photos = await readImageBatch([photoPaths.astronaut, photoPaths.chelsea], {
    size: [64, 64],
    channels: 1,
    normalisation: 'symmetric',
  });
  faces = tf.keep(photos);
});
afterAll(() => {
  faces.dispose();
  graph.dispose();
});

/** logit[3] − logit[0] per row. */
const metric: PatchingMetric = (logits) =>
  tf.tidy(() =>
    tf.reshape(tf.sub(tf.slice(logits, [0, 3], [-1, 1]), tf.slice(logits, [0, 0], [-1, 1])), [-1]),
  );

function activation(input: tf.Tensor): tf.Tensor {
  const session = new HookSession(graph);
  try {
    const captured = session.capture(node);
    const ran = session.run(() => graph.call(input) as tf.Tensor);
    if (!ran.stopped) ran.value.dispose();
    session.close();
    const value = tf.clone(captured.value as tf.Tensor);
    captured.dispose();
    return value;
  } finally {
    session.close();
  }
}

describe(`attributionPatching on a Graph model (${tf.getBackend()})`, () => {
  it('channels of an inner node: Σ_positions Δa ⊙ ∂metric/∂a, a per hook and g per saliency', () => {
    const clean = tf.slice(faces, [0, 0, 0, 0], [1, -1, -1, -1]);
    const corrupted = tf.slice(faces, [1, 0, 0, 0], [1, -1, -1, -1]);
    const sites = unitSites({ path: node, axis: -1, indices: [0, 1, 2, 3, 4, 5], name: 'channel' });
    using data = new TensorDict(
      { input: tf.clone(clean), patched: { input: tf.clone(corrupted) } },
      { batchShape: [1] },
    );
    using prepared = attributionPatching({ sites, metric }).prepare(graph);
    using result = prepared.run(data);
    prepared.restore();
    using corruptedData = new TensorDict({ input: tf.clone(corrupted) }, { batchShape: [1] });
    using gradients = saliency({
      inputs: [],
      modules: [node],
      target: { select: (logits) => metric(logits, [logits]) },
    }).prepare(graph);
    using gradient = gradients.run(corruptedData);
    gradients.restore();
    const [a, b] = [activation(clean), activation(corrupted)];
    const wanted = tf.tidy(() =>
      tf.slice(tf.sum(tf.mul(tf.sub(a, b), gradient.getTensor(['attr', node])), [1, 2]), [0, 0], [-1, 6]),
    );
    const estimate = result.getTensor(['atp', 'estimate']);
    expect(estimate.shape).toEqual([1, 6]);
    expect(estimate).toBeCloseToTensor(wanted, { atol: 1e-6, rtol: 1e-5 });
    expect(tf.tidy(() => tf.max(tf.abs(wanted)).dataSync()[0])).toBeGreaterThan(1e-4);
    tf.dispose([clean, corrupted, a, b, wanted]);
  });
});
