// Attribution patching against the activation patching grid it estimates, on the IOI model: AtP (and RelP,
// the LRP relevance of the transformer rules in place of the gradient) costs two forward passes and one
// backward pass for every site; the grid one patched row per cell and sample. The time ratio, and the
// correlation the estimate buys, in the report's notes. The intervention, NLP and asset packages are
// imported when a variant is set up, so the suite loads without them.
import * as tf from '@tensorflow/tfjs-core';
import type { KeyPath, PreparedModel } from '@tdhook/core';

import { defineScenario, type PreparedVariant, type Scenario } from '../scenario.js';
import { loadIoiPatching, type IoiPatching } from './patching-ioi.js';

/**
 * A grid point of {@link attributionPatchingScenario}: how many clean/corrupted prompt pairs.
 *
 * @example
 * const point: AttributionPatchingParams = { samples: 8 };
 */
export type AttributionPatchingParams = {
  readonly samples: number;
};

/** One grid or estimate method prepared on the IOI model, and where its result is. */
interface PreparedPatching {
  readonly key: KeyPath;
  readonly prepared: PreparedModel;
}

async function prepareMethod(method: 'grid' | 'atp' | 'relp', ioi: IoiPatching): Promise<PreparedPatching> {
  const { activationPatchingGrid, attributionPatching, headPositionSites, logitDifference } =
    await import('@tdhook/intervention');
  const sites = headPositionSites(ioi.model.config, { positions: ioi.positions });
  const metric = logitDifference({ answer: [...ioi.answer], versus: [...ioi.subject] });
  if (method === 'grid') {
    return {
      key: ['patching', 'effect'],
      prepared: activationPatchingGrid({ sites, metric }).prepare(ioi.model),
    };
  }
  const composite =
    method === 'relp' ? (await import('@tdhook/adapter-nlp')).transformerLrpComposite() : undefined;
  const options = composite === undefined ? { sites, metric } : { sites, metric, method, composite };
  return { key: [method, 'estimate'], prepared: attributionPatching(options).prepare(ioi.model) };
}

/** Runs a prepared method on a fresh copy of the data and returns its grid `[samples, ...]` (the caller's). */
function runOnce({ key, prepared }: PreparedPatching, ioi: IoiPatching): tf.Tensor {
  const data = ioi.data();
  try {
    const result = prepared.run(data);
    const grid = tf.clone(result.getTensor(key));
    result.dispose();
    return grid;
  } finally {
    data.dispose();
  }
}

/** The mean over samples (axis 0) of a `[samples, ...grid]` tensor, as numbers. */
const sampleMean = (grid: tf.Tensor): Float32Array =>
  tf.tidy(() => tf.mean(grid, 0).dataSync() as Float32Array);

function setupMethod(method: 'grid' | 'atp' | 'relp') {
  return async ({ samples }: AttributionPatchingParams): Promise<PreparedVariant> => {
    const ioi = await loadIoiPatching(samples);
    let note: string | undefined;
    if (method !== 'grid') {
      const { pearson } = await import('@tdhook/intervention');
      // What the estimate buys: its correlation with the grid it estimates (computed here, not timed; one
      // method prepared on the model at a time).
      const grid = await prepareMethod('grid', ioi);
      const effect = runOnce(grid, ioi);
      grid.prepared.restore();
      const estimator = await prepareMethod(method, ioi);
      const estimate = runOnce(estimator, ioi);
      estimator.prepared.restore();
      const cells = effect.size / samples;
      note = `Pearson r with activation patching's effect: ${pearson(sampleMean(estimate), sampleMean(effect)).toFixed(3)} over the ${String(cells)} cells (mean over ${String(samples)} samples), ${pearson(estimate.dataSync(), effect.dataSync()).toFixed(3)} over all ${String(effect.size)} cell-samples`;
      tf.dispose([effect, estimate]);
    }
    const prepared = await prepareMethod(method, ioi);
    return {
      run: () => runOnce(prepared, ioi),
      ...(note === undefined ? {} : { note: () => note }),
      dispose: () => {
        prepared.prepared.restore();
        ioi.dispose();
      },
    };
  };
}

/**
 * Attribution patching vs the activation patching grid it estimates, on the IOI model's (layer, head,
 * position) grid of hook_z (120 cells): `grid` (the baseline) is `activationPatchingGrid`'s effect, `atp`
 * `attributionPatching`'s gradient estimate and `relp` its LRP estimate with `transformerLrpComposite()`. The
 * speed-up is the time ratio; each estimate's Pearson correlation with the grid is in the report's notes.
 *
 * @example
 * const suite: Suite = [attributionPatchingScenario];
 */
export const attributionPatchingScenario: Scenario<AttributionPatchingParams> =
  defineScenario<AttributionPatchingParams>({
    id: 'attribution-patching',
    title: 'Attribution patching (AtP, RelP) vs the activation patching grid',
    description:
      'The (layer, head, position) grid of hook_z on the IOI model (120 cells, logit difference): activationPatchingGrid’s effect (the baseline: one source pass, then the cells stacked 64 rows a pass) vs its first-order estimates in two forward passes and one backward pass, attributionPatching with the gradient (AtP) and with the LRP relevance of transformerLrpComposite() (RelP). The speed-up is the time ratio; the notes give the Pearson correlation each estimate buys.',
    grid: {
      quick: [{ samples: 4 }],
      full: [{ samples: 1 }, { samples: 16 }],
    },
    baseline: 'grid',
    variants: { grid: setupMethod('grid'), atp: setupMethod('atp'), relp: setupMethod('relp') },
    repetitions: { quick: { warmup: 1, runs: 3 }, full: { warmup: 2, runs: 10 } },
  });
