// Why an estimate misses: the patching effect of one site again, with parts of the model held at their
// corrupted-run values. AtP is exact for a model that is linear around the corrupted run; RelP's rules hold
// the LayerNorm scales and the attention patterns constant. Holding them in a real patched run shows how much
// of the effect goes through them.
import * as tf from '@tensorflow/tfjs-core';
import { registerHook, type HookHandle } from '@tdhook/core';
import type { HookedTransformer } from '@tdhook/adapter-nlp';

import { siteMask, type PatchSite } from '../../src/index.js';
import type { StudyDataset } from './study-datasets.js';

/** The mean patching effect of a site as is, with the LayerNorm scales held, and with the attention patterns held too. */
export interface HeldEffects {
  readonly label: string;
  readonly patching: number;
  readonly scalesHeld: number;
  readonly scalesAndPatternsHeld: number;
}

/** Runs the corrupted inputs with `site` patched from the clean run and the `held` hook points replaced by their corrupted values. */
export function heldEffects(
  model: HookedTransformer,
  dataset: StudyDataset,
  sites: readonly PatchSite[],
): HeldEffects[] {
  const layers = Array.from({ length: model.config.nLayers }, (_, layer) => layer);
  const scales = [...layers.map((layer) => `blocks.${layer}.ln1.hook_scale`), 'ln_final.hook_scale'];
  const patterns = layers.map((layer) => `blocks.${layer}.attn.hook_pattern`);
  const paths = [...new Set([...sites.map((site) => site.path), ...scales, ...patterns])];
  const clean = tf.tensor2d(
    dataset.clean.map((row) => [...row]),
    undefined,
    'int32',
  );
  const corrupted = tf.tensor2d(
    dataset.corrupted.map((row) => [...row]),
    undefined,
    'int32',
  );
  const source = model.runWithCache(clean, { names: paths });
  const receiving = model.runWithCache(corrupted, { names: paths });
  const meanMetric = (logits: tf.Tensor): number =>
    tf.tidy(() => tf.mean(dataset.metric(logits, [logits])).dataSync()[0] ?? Number.NaN);
  const baseline = meanMetric(receiving.logits);
  const effect = (site: PatchSite, value: tf.Tensor, held: readonly string[]): number => {
    const handles: HookHandle[] = [];
    try {
      handles.push(registerHook(model, site.path, 'forward', () => value.clone()));
      for (const path of held)
        handles.push(registerHook(model, path, 'forward', () => receiving.cache.getTensor(path).clone()));
      const logits = tf.tidy(() => model.call(corrupted));
      const metric = meanMetric(logits);
      logits.dispose();
      return metric - baseline;
    } finally {
      for (const handle of handles) handle.remove();
    }
  };
  try {
    return sites.map((site) => {
      const from = source.cache.getTensor(site.path);
      const into = receiving.cache.getTensor(site.path);
      const value = tf.tidy(() =>
        tf.where(tf.broadcastTo(siteMask(site, from.shape), from.shape), from, into),
      );
      try {
        return {
          label: site.label,
          patching: effect(site, value, []),
          scalesHeld: effect(site, value, scales),
          scalesAndPatternsHeld: effect(site, value, [...scales, ...patterns]),
        };
      } finally {
        value.dispose();
      }
    });
  } finally {
    tf.dispose([clean, corrupted, source.logits, receiving.logits]);
    source.cache.dispose();
    receiving.cache.dispose();
  }
}
