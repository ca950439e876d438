// The gpt2-tiny reference (packages/testing/reference/gpt2-tiny) for the attribution-patching tests: the
// model built from its checkpoint, its patching inputs and reference numbers, after adapter-nlp's
// test/model-fixture.ts (copied, not imported: test folders are not shared between packages).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll } from 'vitest';
import { restorePatches } from '@tdhook/backend';
import { defaultPatches, installPatches } from '@tdhook/backend/patches';
import { referenceDirectory } from '@tdhook/testing';
import { HookedTransformer, readSafetensors, type TransformerConfig } from '@tdhook/adapter-nlp';

const fixtureDirectory = join(referenceDirectory(), 'gpt2-tiny');

/** A value of reference.json: its shape and nested data. */
export interface Spec {
  readonly shape: readonly number[];
  readonly data: unknown;
}

/** The parts of reference.json these tests read. */
export interface AtpReference {
  readonly patching_inputs: {
    readonly clean: number[][];
    readonly corrupted: number[][];
    readonly clean_answer: number;
    readonly corrupt_answer: number;
  };
  readonly activation_patching: {
    readonly clean_metric: number;
    readonly corrupted_metric: number;
    readonly head_z: { readonly effect: Spec };
    readonly resid_pre: { readonly effect: Spec };
  };
  readonly attribution_patching: {
    readonly head_z: { readonly atp: Spec };
    readonly resid_pre: { readonly atp: Spec };
    readonly gradients_on_corrupted_run: Readonly<Record<string, Spec>>;
  };
}

let cached: AtpReference | undefined;
/** reference.json, parsed once per process. */
export function reference(): AtpReference {
  cached ??= JSON.parse(readFileSync(join(fixtureDirectory, 'reference.json'), 'utf8')) as AtpReference;
  return cached;
}

/** Spec → flat numbers. */
export function flat(spec: Spec): number[] {
  return (spec.data as unknown[]).flat(Number.POSITIVE_INFINITY).map(Number);
}

/** Spec → the TensorSpec the closeness matcher takes. */
export function expected(spec: Spec): { shape: readonly number[]; data: number[] } {
  return { shape: spec.shape, data: flat(spec) };
}

/** The largest |a − b| over two equally long lists. */
export function maxError(actual: ArrayLike<number>, wanted: ArrayLike<number>): number {
  let worst = 0;
  for (let index = 0; index < wanted.length; index++) {
    worst = Math.max(worst, Math.abs((actual[index] ?? Number.NaN) - (wanted[index] ?? 0)));
  }
  return Number.isNaN(worst) ? Number.POSITIVE_INFINITY : worst;
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

/** Builds gpt2-tiny from its checkpoint. */
export function loadTinyModel(): HookedTransformer {
  const bytes = readFileSync(join(fixtureDirectory, 'model.safetensors'));
  const weights: Record<string, tf.Tensor> = {};
  for (const [name, { shape, data }] of Object.entries(readSafetensors(bytes).tensors)) {
    weights[name.replace(/^transformer\./, '')] = tf.tensor(data, [...shape], 'float32');
  }
  try {
    return HookedTransformer.fromGpt2Weights(tinyConfig(), weights);
  } finally {
    for (const tensor of Object.values(weights)) tensor.dispose();
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

/** The backend's patches (wasm gets the gradients it lacks) for the file, installed in beforeAll. */
export function useBackendPatches(): void {
  beforeAll(async () => {
    await installPatches(tf.getBackend() as 'wasm' | 'cpu', defaultPatches);
  });
  afterAll(() => {
    restorePatches();
  });
}

/** gpt2-tiny for a test file, built in beforeAll (after the patches) and disposed in afterAll. */
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
