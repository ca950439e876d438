// The weights-apply scenario, set up in-process at its smallest point: both variants leave the model's
// parameters bit for bit as they were and free every tensor they make; the parameter counts are right. No
// timings.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import type { PreparedVariant } from '../src/scenario.js';
import { weightsApply, type WeightsApplyParams } from '../src/scenarios/weights-apply.js';

async function setUp(variant: string, params: WeightsApplyParams): Promise<PreparedVariant> {
  const setup = weightsApply.variants[variant];
  if (setup === undefined) throw new Error(`no variant ${variant}`);
  return setup(params);
}

describe('weights-apply', () => {
  it('grid: ~10k, ~100k, ~1M parameters (64 → width → width → 10)', () => {
    expect(weightsApply.grid.full.map((point) => point.parameters)).toEqual([10_230, 99_690, 994_570]);
  });

  for (const variant of ['tdhook', 'plain']) {
    it(`${variant}: apply + restore, twice, leaves no tensor behind (bit-exact restore: weights' own tests)`, async () => {
      const point = weightsApply.grid.quick[0] as WeightsApplyParams;
      const prepared = await setUp(variant, point);
      try {
        const before = tf.memory().numTensors;
        await prepared.run();
        await prepared.run();
        expect(tf.memory().numTensors).toBe(before);
        expect(prepared.note?.()).toBe('10230 parameters (0.04 MiB of float32)');
      } finally {
        prepared.dispose();
      }
    });
  }
});
