// The grid tests' fixtures: the gpt2-tiny reference (packages/testing/reference/gpt2-tiny, read as
// @tdhook/adapter-nlp's tests read it: the checkpoint with readSafetensors, reference.json's numbers), the
// backend patches, and one-run-per-cell patching through a HookSession to compare batched grids with.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll } from 'vitest';
import { HookSession, registerHook, type ModelNode } from '@tdhook/core';
import { restorePatches } from '@tdhook/backend';
import { defaultPatches, installPatches } from '@tdhook/backend/patches';
import { HookedTransformer, readSafetensors, type TransformerConfig } from '@tdhook/adapter-nlp';
import { referenceDirectory } from '@tdhook/testing';

import { siteMask, type PatchSite, type PatchingMetric } from '../src/index.js';

export const fixtureDirectory: string = join(referenceDirectory(), 'gpt2-tiny');

/** A value of reference.json: shape and nested data. */
export interface Spec {
  readonly shape: readonly number[];
  readonly data: unknown;
}

/** Spec → flat numbers. */
export function flat(spec: Spec): number[] {
  return (spec.data as unknown[]).flat(Number.POSITIVE_INFINITY).map(Number);
}

interface ReferenceGrid {
  readonly patched_metric: Spec;
  readonly effect: Spec;
  readonly normalized: Spec;
}

/** The parts of reference.json the grid tests read. */
export interface Reference {
  readonly patching_inputs: {
    readonly clean: number[][];
    readonly corrupted: number[][];
    readonly clean_answer: number;
    readonly corrupt_answer: number;
  };
  readonly activation_patching: {
    readonly clean_metric: number;
    readonly corrupted_metric: number;
    readonly head_z: ReferenceGrid & { readonly all_heads_all_layers_patched_metric: number };
    readonly resid_pre: ReferenceGrid & { readonly layer0_all_positions_patched_metric: number };
  };
}

let referenceCache: Reference | undefined;
/** reference.json, parsed once per process. */
export function reference(): Reference {
  referenceCache ??= JSON.parse(readFileSync(join(fixtureDirectory, 'reference.json'), 'utf8')) as Reference;
  return referenceCache;
}

function tinyConfig(): TransformerConfig {
  const hf = JSON.parse(readFileSync(join(fixtureDirectory, 'config.json'), 'utf8')) as Record<
    string,
    number
  >;
  return {
    nLayers: hf.n_layer as number,
    dModel: hf.n_embd as number,
    nHeads: hf.n_head as number,
    nCtx: hf.n_positions as number,
    dVocab: hf.vocab_size as number,
    layerNormEps: hf.layer_norm_epsilon as number,
    actFn: 'gelu_new',
  };
}

/** Builds the gpt2-tiny model from its checkpoint, disposing the loaded tensors. */
export function loadTinyModel(): HookedTransformer {
  const weights: Record<string, tf.Tensor> = {};
  const file = readSafetensors(readFileSync(join(fixtureDirectory, 'model.safetensors')));
  for (const [name, { shape, data }] of Object.entries(file.tensors)) {
    weights[name.replace(/^transformer\./, '')] = tf.tensor(data, [...shape], 'float32');
  }
  try {
    return HookedTransformer.fromGpt2Weights(tinyConfig(), weights);
  } finally {
    tf.dispose(Object.values(weights));
  }
}

/** int32 token ids from nested arrays. */
export function tokensOf(ids: readonly (readonly number[])[]): tf.Tensor2D {
  return tf.tensor2d(
    ids.map((row) => [...row]),
    [ids.length, ids[0]?.length ?? 0],
    'int32',
  );
}

/** @tdhook/backend's patches for the file (wasm gets the kernels and gradients it lacks). */
export function useBackendPatches(): void {
  beforeAll(async () => {
    await installPatches(tf.getBackend() as 'wasm' | 'cpu', defaultPatches);
  });
  afterAll(() => {
    restorePatches();
  });
}

/** The gpt2-tiny model for a test file, built in beforeAll and disposed in afterAll. */
export function useTinyModel(): () => HookedTransformer {
  let model: HookedTransformer | undefined;
  useBackendPatches();
  beforeAll(() => {
    model = loadTinyModel();
  });
  afterAll(() => {
    model?.dispose();
  });
  return () => {
    if (model === undefined) throw new Error('the model is built in beforeAll');
    return model;
  };
}

/** The largest |a − b| over two equally long lists. */
export function maxAbsError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length)
    throw new Error(`${actual.length} values, ${expected.length} expected`);
  let worst = 0;
  for (let index = 0; index < actual.length; index++) {
    worst = Math.max(worst, Math.abs((actual[index] ?? Number.NaN) - (expected[index] ?? Number.NaN)));
  }
  return Number.isNaN(worst) ? Number.POSITIVE_INFINITY : worst;
}

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
