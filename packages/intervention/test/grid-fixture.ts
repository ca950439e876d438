// One run per cell through a HookSession and a forward hook: the reference way to patch a grid, which a
// batched grid's numbers must equal.
import * as tf from '@tensorflow/tfjs-core';
import { HookSession, registerHook, type ModelNode } from '@tdhook/core';

import { siteMask, type PatchSite, type PatchingMetric } from '../src/index.js';

/**
 * The reference way, one run per cell: the receiving run with `site` patched from the source run (a
 * HookSession capture of the source value, then a forward hook writing it at the site's elements), the
 * metric's values per sample. `call` runs the model on its inputs.
 */
export function patchOneCell(
  model: ModelNode,
  call: (inputs: readonly tf.Tensor[]) => tf.Tensor,
  site: PatchSite,
  source: readonly tf.Tensor[],
  receiving: readonly tf.Tensor[],
  metric: PatchingMetric,
): number[] {
  const capture = new HookSession(model);
  let cached: tf.Tensor;
  try {
    const captured = capture.capture(site.path);
    const ran = capture.run(() => call(source));
    if (!ran.stopped) ran.value.dispose();
    cached = captured.value as tf.Tensor;
  } finally {
    capture.close();
  }
  const handle = registerHook(model, site.path, 'forward', (output) =>
    tf.tidy(() => {
      const value = output as tf.Tensor;
      return tf.where(tf.broadcastTo(siteMask(site, value.shape), value.shape), cached, value);
    }),
  );
  try {
    return tf.tidy(() => {
      const output = call(receiving);
      return Array.from(metric(output, [output]).dataSync());
    });
  } finally {
    handle.remove();
    cached.dispose();
  }
}

/**
 * One run per cell for every site of `sites` (or the cells listed), as `[samples][cells]` numbers: what a
 * batched grid's `patched_metric` must equal.
 */
export function patchEveryCell(
  model: ModelNode,
  call: (inputs: readonly tf.Tensor[]) => tf.Tensor,
  sites: readonly PatchSite[],
  source: readonly tf.Tensor[],
  receiving: readonly tf.Tensor[],
  metric: PatchingMetric,
): number[][] {
  const samples = source[0]?.shape[0] ?? 0;
  const grid: number[][] = Array.from({ length: samples }, () => []);
  for (const site of sites) {
    const values = patchOneCell(model, call, site, source, receiving, metric);
    grid.forEach((row, sample) => row.push(values[sample] ?? Number.NaN));
  }
  return grid;
}
