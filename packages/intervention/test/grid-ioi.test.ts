// activationPatchingGrid on the trained IOI model (@tdhook/nlp-assets): the full (layer, head, position)
// grid of hook_z over held-out prompts runs batched and chunked, and equals one run per cell.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { TensorDict } from '@tdhook/core';
import { generateIoiPrompts, ioiTemplates, loadIoiModel } from '@tdhook/nlp-assets';

import {
  activationPatchingGrid,
  headPositionSites,
  LabelledGrid,
  logitDifference,
  patchingGridPasses,
} from '../src/index.js';
import { maxAbsError, tokensOf, useBackendPatches } from './gpt2-tiny-fixture.js';
import { patchEveryCell } from './grid-fixture.js';

useBackendPatches();

describe('activationPatchingGrid on the IOI model', () => {
  it('the (layer, head, position) grid of 4 held-out prompts, batched in passes, equals one run per cell', async () => {
    const { model, tokenizer } = await loadIoiModel();
    const template = ioiTemplates[0] as string;
    const prompts = generateIoiPrompts({ seed: 7, count: 4, split: 'held-out', template: 0 });
    // Corrupted: the subject's second mention is the answer, so the other name becomes the right one.
    const corrupted = prompts.map(({ text, answer, subject, order }) => {
      const [a, b] = order === 'ABB' ? [answer, subject] : [subject, answer];
      const swapped = template.replace('{A}', a).replace('{B}', b).replace('{S}', answer);
      expect(swapped).not.toBe(text);
      return swapped;
    });
    const clean = tokensOf(prompts.map(({ text }) => tokenizer.encode(text)));
    const receiving = tokensOf(corrupted.map((text) => tokenizer.encode(text)));
    const positions = clean.shape[1];
    const id = (name: string): number => tokenizer.encode(` ${name}`).at(-1) ?? -1;
    const metric = logitDifference({
      answer: prompts.map(({ answer }) => id(answer)),
      versus: prompts.map(({ subject }) => id(subject)),
    });
    const sites = headPositionSites(model.config, { positions });
    const cells = sites.sites.length;
    let passes = 0;
    {
      using data = new TensorDict(
        { input: clean.clone(), patched: { input: receiving.clone() } },
        { batchShape: [4] },
      );
      using prepared = activationPatchingGrid({
        sites,
        metric,
        onProgress: (progress) => {
          passes = progress.passes;
        },
      }).prepare(model);
      using result = prepared.run(data);
      expect(passes).toBe(patchingGridPasses({ cells, samples: 4, maxRowsPerPass: 64 }));
      expect(passes).toBeGreaterThan(2); // it did chunk
      const patched = Array.from(result.getTensor(['patching', 'patched_metric']).dataSync());
      const source = Array.from(result.getTensor(['patching', 'source_metric']).dataSync());
      const baseline = Array.from(result.getTensor(['patching', 'baseline_metric']).dataSync());
      // The model solves the task: the clean run prefers the answer, the corrupted run the other name.
      for (let sample = 0; sample < 4; sample++) {
        expect(source[sample]).toBeGreaterThan(1);
        expect(baseline[sample]).toBeLessThan(-1);
      }
      // A few cells, one run each (first, last and spread over the grid), for every sample.
      const picked = [0, 7, cells >> 2, cells >> 1, cells - 16, cells - 1];
      const expected = tf.tidy(() =>
        patchEveryCell(
          model,
          ([x]) => model.call(x as tf.Tensor),
          picked.map((cell) => sites.sites[cell] as (typeof sites.sites)[number]),
          [clean],
          [receiving],
          metric,
        ),
      );
      const actual = expected.map((_, sample) =>
        picked.map((cell) => patched[sample * cells + cell] ?? Number.NaN),
      );
      const error = maxAbsError(actual.flat(), expected.flat());
      console.info(
        `IOI (layer, head, position) grid, ${cells} cells × 4 prompts in ${passes} passes, batched vs per cell: ${error}`,
      );
      expect(error).toBeLessThan(1e-5);
      // Some head at some position carries the answer: patching it recovers much of the gap.
      const normalized = LabelledGrid.fromSamples(result.getTensor(['patching', 'normalized']), sites);
      expect(Math.max(...normalized.values)).toBeGreaterThan(0.2);
    }
    tf.dispose([clean, receiving]);
    model.dispose();
  });
});
