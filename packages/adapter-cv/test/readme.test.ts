// The README's quick start, on the MobileNetV2 of @tdhook/cv-assets (wasm only: MobileNetV2 gradients are slow on
// cpu). The test setup has already chosen the backend, so initBackend() is left out.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, inject, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { mobileNetV2Dir, photoPaths } from '@tdhook/cv-assets';

import {
  explainImages,
  loadModel,
  readImage,
  readImageBatch,
  renderExplanation,
  writePng,
} from '../src/index.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

describe.skipIf(inject('tdhookBackend') === 'cpu')('README quick start', () => {
  it('writes a Grad-CAM overlay PNG of the cat', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'tdhook-cv-readme-'));
    const log: unknown[][] = [];
    const console = { log: (...values: unknown[]) => log.push(values) };
    try {
      const { model, metadata, dispose } = await loadModel(mobileNetV2Dir()); // a folder with model.json
      const images = await readImageBatch([photoPaths.chelsea], {
        size: [224, 224],
        normalisation: metadata.normalisation ?? 'unit',
      });
      const explanation = explainImages(model, images, { method: 'gradcam' }); // last feature map, predicted class
      console.log(explanation.layer, metadata.labels?.[explanation.target[0] ?? 0]); // 'out_relu' 'Neutral'

      const { overlay } = renderExplanation(explanation, 0, await readImage(photoPaths.chelsea));
      await writePng(join(folder, 'chelsea.gradcam.png'), overlay); // the map resized onto the 451×300 photo

      explanation.dispose();
      images.dispose();
      dispose();

      expect(log).toEqual([['out_relu', 'Neutral']]);
      const written = await readImage(join(folder, 'chelsea.gradcam.png'));
      expect([written.width, written.height]).toEqual([451, 300]);
      expect(written.data).toEqual(overlay.data);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
