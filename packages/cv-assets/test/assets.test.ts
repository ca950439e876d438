import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';

import {
  emotionInput,
  emotionLabels,
  emotionModelDir,
  mobileNetV2Classes,
  mobileNetV2Dir,
  mobileNetV2Input,
  packageRoot,
  photoPaths,
} from '../src/index.js';

/** The folder, or null when `pnpm build` has not extracted the model (the error must say how to). */
function extracted(dir: () => string): string | null {
  try {
    return dir();
  } catch (error) {
    expect(String(error)).toMatch(/run pnpm build \(pnpm --filter @tdhook\/cv-assets build\) to extract it/);
    return null;
  }
}

describe('the photos', () => {
  it('are RGB PNGs with their licence file beside them', () => {
    for (const path of Object.values(photoPaths)) {
      const png = PNG.sync.read(readFileSync(path));
      expect(png.width).toBeGreaterThan(224);
      expect(png.height).toBeGreaterThan(224);
    }
    expect(existsSync(join(packageRoot, 'photos', 'LICENSE.md'))).toBe(true);
  });
});

describe('the extracted models', () => {
  it('MobileNetV2 takes 224×224×3 and outputs one probability per class', () => {
    const dir = extracted(mobileNetV2Dir);
    if (dir === null) return;
    const { modelTopology } = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
      modelTopology: {
        model_config: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
      };
    };
    const layers = modelTopology.model_config.config.layers;
    expect(layers[0]?.config.batch_input_shape).toEqual([null, ...mobileNetV2Input.size, 3]);
    const last = layers.at(-1);
    expect(last?.class_name).toBe('Dense');
    expect(last?.config.units).toBe(mobileNetV2Classes.length);
    expect(last?.config.activation).toBe('softmax');
  });

  it('the emotion model takes 64×64×1 and ends in a softmax', () => {
    const dir = extracted(emotionModelDir);
    if (dir === null) return;
    const { modelTopology } = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
      modelTopology: { node: { name: string; op: string; attr?: Record<string, unknown> }[] };
    };
    const input = modelTopology.node.find((node) => node.op === 'Placeholder');
    expect(input?.attr?.shape).toEqual({
      shape: { dim: [{ size: '-1' }, { size: '64' }, { size: '64' }, { size: '1' }] },
    });
    expect(emotionInput.size).toEqual([64, 64]);
    expect(modelTopology.node.some((node) => node.op === 'Softmax')).toBe(true);
    expect(emotionLabels).toHaveLength(7);
  });
});
