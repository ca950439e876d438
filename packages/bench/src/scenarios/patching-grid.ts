// A full (layer, head, position) activation patching grid on the IOI model: @tdhook/intervention's batched
// activationPatchingGrid against the same grid done one run per cell, by hand in plain TF.js (the baseline)
// and with tdhook hooks as a TransformerLens user writes it (run_with_hooks per cell). The intervention, NLP
// and asset packages are imported when a variant is set up, so the suite loads without them.
import * as tf from '@tensorflow/tfjs-core';
import { registerHook } from '@tdhook/core';

import { defineScenario, type PreparedVariant, type Scenario } from '../scenario.js';
import { loadIoiPatching, type IoiPatching } from './patching-ioi.js';
import {
  oneHotDifference,
  plainPatchEveryCell,
  zCellMask,
  zCells,
  type PlainAttnOnly,
  type PlainCellRun,
} from './patching-plain.js';

/**
 * A grid point of {@link patchingGrid}: how many clean/corrupted prompt pairs (the grid has 2 × 4 × 15 = 120
 * cells whatever the batch).
 *
 * @example
 * const point: PatchingGridParams = { samples: 8 };
 */
export type PatchingGridParams = {
  readonly samples: number;
};

const zPath = (layer: number): string => `blocks.${String(layer)}.attn.hook_z`;

/** Every cell's z mask at full shape, and the model's z shape. */
function cellMasks(ioi: IoiPatching): { cells: ReturnType<typeof zCells>; masks: tf.Tensor[] } {
  const { nHeads, dHead } = ioi.model.config;
  const cells = zCells(ioi.model.config, ioi.positions);
  const shape = [ioi.clean.shape[0], ioi.positions, nHeads, dHead] as const;
  return { cells, masks: cells.map((cell) => zCellMask(cell, shape)) };
}

async function setupGrid({ samples }: PatchingGridParams): Promise<PreparedVariant> {
  const [ioi, { activationPatchingGrid, headPositionSites, logitDifference }] = await Promise.all([
    loadIoiPatching(samples),
    import('@tdhook/intervention'),
  ]);
  const prepared = activationPatchingGrid({
    sites: headPositionSites(ioi.model.config, { positions: ioi.positions }),
    metric: logitDifference({ answer: [...ioi.answer], versus: [...ioi.subject] }),
  }).prepare(ioi.model);
  return {
    run: () => {
      const data = ioi.data();
      try {
        const result = prepared.run(data);
        const grid = tf.clone(result.getTensor(['patching', 'patched_metric']));
        result.dispose();
        return grid;
      } finally {
        data.dispose();
      }
    },
    dispose: () => {
      prepared.restore();
      ioi.dispose();
    },
  };
}

// One run per cell with tdhook hooks, as TransformerLens's run_with_hooks: the clean run's z cached once
// (runWithCache), then per cell a forward hook on hook_z writes the clean values at the cell's mask.
async function setupPerCell({ samples }: PatchingGridParams): Promise<PreparedVariant> {
  const ioi = await loadIoiPatching(samples);
  const { model } = ioi;
  const { cells, masks } = cellMasks(ioi);
  const weights = oneHotDifference(ioi.answer, ioi.subject, model.config.dVocab);
  const names = Array.from({ length: model.config.nLayers }, (_, layer) => zPath(layer));
  return {
    run: () =>
      tf.tidy(() => {
        const { logits, cache } = model.runWithCache(ioi.clean, { names });
        logits.dispose();
        try {
          const values = cells.map((cell, index) => {
            const clean = cache.getTensor(zPath(cell.layer));
            const mask = masks[index] as tf.Tensor;
            const handle = registerHook(model, zPath(cell.layer), 'forward', (output) =>
              tf.where(mask, clean, output as tf.Tensor),
            );
            try {
              return tf.tidy(() => {
                const last = tf.squeeze(
                  tf.slice(model.call(ioi.corrupted), [0, ioi.positions - 1, 0], [-1, 1, -1]),
                  [1],
                );
                return tf.sum(tf.mul(last, weights), 1);
              });
            } finally {
              handle.remove();
            }
          });
          return gridOf(values, ioi);
        } finally {
          cache.dispose();
        }
      }),
    dispose: () => {
      tf.dispose([...masks, weights]);
      ioi.dispose();
    },
  };
}

function setupPlain(mode: PlainCellRun) {
  return async ({ samples }: PatchingGridParams): Promise<PreparedVariant> => {
    const ioi = await loadIoiPatching(samples);
    const plain: PlainAttnOnly = { weights: ioi.model.gpt2Weights(), shape: ioi.model.config };
    const { cells, masks } = cellMasks(ioi);
    const weights = oneHotDifference(ioi.answer, ioi.subject, ioi.model.config.dVocab);
    return {
      run: () =>
        tf.tidy(() => {
          const byCell = plainPatchEveryCell(plain, ioi.clean, ioi.corrupted, cells, masks, weights, mode);
          return tf.reshape(byCell, [samples, ...gridShape(ioi)]);
        }),
      dispose: () => {
        tf.dispose([...Object.values(plain.weights), ...masks, weights]);
        ioi.dispose();
      },
    };
  };
}

const gridShape = (ioi: IoiPatching): number[] => [
  ioi.model.config.nLayers,
  ioi.model.config.nHeads,
  ioi.positions,
];

/** `[samples, layers, heads, positions]` from one `[samples]` tensor per cell, in row-major cell order. */
function gridOf(values: readonly tf.Tensor[], ioi: IoiPatching): tf.Tensor {
  return tf.reshape(tf.stack([...values], 1), [ioi.clean.shape[0], ...gridShape(ioi)]);
}

/**
 * A full (layer, head, position) activation patching grid on the IOI model (2 attention-only layers × 4
 * heads, d 64, 15 tokens: 120 cells), the clean answer's logit difference as the metric. `tdhook` is
 * `activationPatchingGrid` (one source pass, then cells × samples rows stacked, 64 rows a pass); `plain` (the
 * baseline) is one whole run per cell written by hand in TF.js (the clean z computed once);
 * `tdhook-per-cell` is one run per cell with a tdhook forward hook, as TransformerLens users write it;
 * `plain-shortcut` is one run per cell from the cell's layer with the last position's logits only, which plain
 * code can do and no hooked model run can. Goal: `tdhook` ≥ 3× the baseline.
 *
 * @example
 * const suite: Suite = [patchingGrid];
 */
export const patchingGrid: Scenario<PatchingGridParams> = defineScenario<PatchingGridParams>({
  id: 'patching-grid',
  title: 'Activation patching grid: batched vs one run per cell',
  description:
    'Every (layer, head, position) cell of hook_z patched from the clean into the corrupted run of the IOI model (2 attention-only layers × 4 heads, d 64, 15 tokens: 120 cells), logit difference at the last position: activationPatchingGrid (one source pass, then the cells stacked 64 rows a pass) vs one run per cell: whole runs by hand in plain TF.js (the baseline, clean z computed once), with a tdhook forward hook per cell as TransformerLens users write it (tdhook-per-cell), and by hand from the cell’s layer with the last position’s logits only (plain-shortcut, which no hooked run can do). Goal: ≥ 3×.',
  grid: {
    quick: [{ samples: 4 }],
    full: [{ samples: 1 }, { samples: 16 }],
  },
  baseline: 'plain',
  variants: {
    tdhook: setupGrid,
    'tdhook-per-cell': setupPerCell,
    plain: setupPlain('full'),
    'plain-shortcut': setupPlain('shortcut'),
  },
  repetitions: { quick: { warmup: 1, runs: 3 }, full: { warmup: 2, runs: 10 } },
});
