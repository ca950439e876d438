// runWithCache's memory is bounded by the selection: for a few selections on a random model, the bytes that
// stay cached equal the selected hook points' sizes exactly, and the peak during the call (tf.profile) grows
// with the selection. Prints the table docs/model.md reports.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, inject, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import { HookedTransformer } from '../src/index.js';

const config = { nLayers: 4, dModel: 128, nHeads: 4, nCtx: 128, dVocab: 1000 };
const [batch, length] = [2, 64];

const selections: [string, RegExp | null, boolean][] = [
  ['model.call (no cache)', null, false],
  ['hook_embed', /^hook_embed$/, false],
  ['/hook_resid_post$/ (4)', /hook_resid_post$/, false],
  ['/attn\\.hook_pattern$/ (4)', /attn\.hook_pattern$/, false],
  ['/attn\\.hook_z$/ (4) + gradients', /attn\.hook_z$/, true],
  ['every hook point (76)', /./, false],
  ['every hook point + gradients', /./, true],
];

describe('runWithCache memory', () => {
  // Seven profiled passes with gradients take 3 s on wasm but 25–30 s on cpu while CI runs every package's tests
  // on two cores (it timed out at the default 30 s once): a generous limit, since this test measures bytes, not time.
  it(
    'keeps exactly the selected bytes; the peak grows with the selection',
    { timeout: 120_000 },
    async () => {
      const model = HookedTransformer.create(config, { seed: 5 });
      const tokens = tf.tidy(() =>
        tf.cast(tf.mul(tf.randomUniform([batch, length], 0, 1, 'float32', 9), 999), 'int32'),
      );
      const logitBytes = batch * length * config.dVocab * 4;
      const lines = [
        `| selection (${inject('tdhookBackend')}, 4 layers, d 128, batch 2 × 64 positions) | entries | bytes kept | peak bytes during the call |`,
        '|---|---|---|---|',
      ];
      const peaks: number[] = [];
      for (const [label, names, backward] of selections) {
        const before = tf.memory().numBytes;
        let kept = 0;
        let entries = 0;
        const profile = await tf.profile(() => {
          if (names === null) {
            model.call(tokens).dispose();
            return;
          }
          const { logits, cache } = model.runWithCache(tokens, {
            names,
            ...(backward ? { backward: { metric: (out: tf.Tensor) => tf.sum(out) } } : {}),
          });
          kept = tf.memory().numBytes - before - logitBytes;
          const keys = cache.keys();
          entries = keys.length;
          const expectedBytes = keys.reduce((sum, key) => sum + cache.getTensor(key).size * 4, 0);
          expect(kept, label).toBe(expectedBytes);
          logits.dispose();
          cache.dispose();
        });
        const peak = profile.peakBytes - before;
        peaks.push(peak);
        lines.push(`| ${label} | ${entries} | ${kept.toLocaleString('en')} | ${peak.toLocaleString('en')} |`);
      }
      console.log(lines.join('\n'));
      // A single small selection peaks like a plain call, far below the full cache.
      expect(peaks[1]).toBeLessThan(1.2 * (peaks[0] ?? 0));
      expect(peaks[5]).toBeGreaterThan(2 * (peaks[1] ?? 0));
      tokens.dispose();
      model.dispose();
    },
  );
});
