// The Moby Dick character model's residual stream read layer by layer: where does it know that a word is
// about to end (the next character is a space), how many dimensions does the stream use, how similar are
// its stages.
import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import { loadMobyCharModel, mobyDickCorpus, sampleMobyDickWindows } from '@tdhook/nlp-assets';
import { cacheDataset } from '@tdhook/probing';

import type { ReportSection } from '../report/report-model.js';
import type { DemoContext } from '../vision/demo-context.js';
import type { LayerRows } from './layer-probes.js';
import { studyLayers } from './probing-report.js';

/** The residual stream at every stage of the two blocks (blocks.1.hook_resid_pre equals blocks.0's post). */
const hookPoints = [
  ['blocks.0.hook_resid_pre', 'embed'],
  ['blocks.0.hook_resid_mid', 'L0 mid'],
  ['blocks.0.hook_resid_post', 'L0 out'],
  ['blocks.1.hook_resid_mid', 'L1 mid'],
  ['blocks.1.hook_resid_post', 'L1 out'],
] as const;
const windows = 40;
const trainWindows = 28;
const length = 64;
/** Positions before this are left out: the model has seen too little of the window there. */
const firstPosition = 8;

/** The residual stream of the Moby Dick character model probed for "the next character is a space". */
export async function nlpProbingSection(context: DemoContext): Promise<ReportSection> {
  const started = performance.now();
  const { model, training } = await loadMobyCharModel();
  const space = mobyDickCorpus().vocabulary.indexOf(' ');
  const ids = sampleMobyDickWindows({ seed: 14, count: windows, length, split: 'held-out' });
  const width = length + 1;
  const input = tf.tensor2d(
    Int32Array.from(
      { length: windows * length },
      (_, i) => ids[Math.floor(i / length) * width + (i % length)] as number,
    ),
    [windows, length],
    'int32',
  );
  const positions = length - firstPosition;
  // Row r = window ⌊r / positions⌋, position firstPosition + r mod positions: is the next character a space?
  const labels = Int32Array.from({ length: windows * positions }, (_, row) => {
    const window = Math.floor(row / positions);
    const position = firstPosition + (row % positions);
    return ids[window * width + position + 1] === space ? 1 : 0;
  });
  const batches = [new TensorDict({ input }, { batchShape: [windows] })];
  let cache: TensorDict | undefined;
  const layers: LayerRows[] = [];
  try {
    const { value } = await context.timed(
      `Moby Dick character model: residual stream cached for ${String(windows)}×${String(length)} characters`,
      () =>
        cacheDataset(model, batches, {
          select: new RegExp(`^(${hookPoints.map(([path]) => path.replace(/\./g, '\\.')).join('|')})$`),
        }),
    );
    cache = value;
    for (const [path] of hookPoints) {
      const stream = cache.getTensor(path); // [windows, length, dModel]
      layers.push({
        name: path,
        rows: tf.tidy(() =>
          tf.reshape(tf.slice(stream, [0, firstPosition, 0], [windows, positions, -1]), [
            windows * positions,
            -1,
          ]),
        ),
      });
    }
    const study = await studyLayers(context, {
      id: 'probing-nlp',
      model: 'Moby Dick character model',
      shortModel: 'Char model',
      concept: 'the next character is a space',
      layers,
      shortNames: hookPoints.map(([, short]) => short),
      labels,
      trainRows: trainWindows * positions,
      dimensionPoints: 1000,
      ckaPoints: 1000,
    });
    const positives = labels.reduce((total, label) => total + label, 0);
    const seconds = (performance.now() - started) / 1000;
    const held = typeof training.heldOutMetric === 'string' ? ` (${training.heldOutMetric})` : '';
    return {
      id: 'probing-nlp',
      title: 'Probing a character model’s residual stream: “the next character is a space”',
      shortTitle: 'probing NLP',
      paragraphs: [
        `The Moby Dick character model of @tdhook/nlp-assets${held} is a 2-layer GPT-2 (d_model 128) over the lowercased novel's 57 characters, loaded as an @tdhook/adapter-nlp HookedTransformer. cacheDataset cached its residual stream at five hook points: before block 0 (the token and position embeddings), after each block's attention (hook_resid_mid) and after each block (hook_resid_post), on ${String(windows)} windows of ${String(length)} held-out characters.`,
        `The concept: “the next character is a space”, i.e. the current word ends here. The model is trained to predict the next character, so its last layer should carry it; the embedding knows only the current character and its position, which already says something (after “,” or “.” a space is almost certain). ${String(positives)} of the ${String(labels.length)} positions (${String(firstPosition)}…${String(length - 1)} of each window) are positive, so the majority class scores high: compare balanced accuracy too.`,
        `The probes are trained on the positions of the first ${String(trainWindows)} windows and scored on the other ${String(windows - trainWindows)} (whole windows held out, so no text is shared), with logisticRegression solved by Newton's method (129 parameters); the control again shuffles the training labels. This section took ${seconds.toFixed(1)} s.`,
      ],
      figures: study.figures,
      tables: study.tables,
    };
  } finally {
    tf.dispose(layers.map((layer) => layer.rows));
    for (const batch of batches) batch.dispose();
    cache?.dispose();
    model.dispose();
  }
}
