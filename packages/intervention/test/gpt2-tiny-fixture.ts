// The gpt2-tiny reference (packages/testing/reference/gpt2-tiny; its README explains the conventions and
// tolerances) for every test of this package that reads it: the model loaded with adapter-nlp's own checkpoint
// loader on the test backend with @tdhook/backend's patches, the parts of reference.json the tests read, and
// small helpers to compare with them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll } from 'vitest';
import { restorePatches } from '@tdhook/backend';
import { defaultPatches, installPatches } from '@tdhook/backend/patches';
import { loadGpt2Checkpoint, type HookedTransformer } from '@tdhook/adapter-nlp';
import { referenceDirectory } from '@tdhook/testing';

export const gpt2TinyDirectory: string = join(referenceDirectory(), 'gpt2-tiny');

/** A value of reference.json: shape and nested data. */
export interface Spec {
  readonly shape: readonly number[];
  readonly data: unknown;
}

interface ReferenceGrid {
  readonly patched_metric: Spec;
  readonly effect: Spec;
  readonly normalized: Spec;
}

/** The parts of reference.json the tests read. */
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
  readonly attribution_patching: {
    readonly head_z: { readonly atp: Spec };
    readonly resid_pre: { readonly atp: Spec };
    readonly gradients_on_corrupted_run: Readonly<Record<string, Spec>>;
  };
  readonly steering: {
    readonly hook: string;
    readonly coeff: number;
    readonly positive: number[][];
    readonly negative: number[][];
    readonly prompt: number[][];
    readonly steer: Spec;
    readonly logits_steered: Spec;
    readonly logits_unsteered: Spec;
    readonly last_position_log_softmax_steered: Spec;
    readonly last_position_log_softmax_unsteered: Spec;
    readonly last_position_argmax_unsteered: number[];
    readonly last_position_argmax_steered: number[];
  };
}

let cached: Reference | undefined;
/** reference.json, parsed once per process. */
export function reference(): Reference {
  cached ??= JSON.parse(readFileSync(join(gpt2TinyDirectory, 'reference.json'), 'utf8')) as Reference;
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

/** int32 token ids `[rows, positions]` from nested arrays. */
export function tokensOf(ids: readonly (readonly number[])[]): tf.Tensor2D {
  return tf.tensor2d(
    ids.map((row) => [...row]),
    [ids.length, ids[0]?.length ?? 0],
    'int32',
  );
}

/** The largest |a − b| over two equally long lists (a NaN anywhere makes it infinite). */
export function maxAbsError(actual: ArrayLike<number>, wanted: ArrayLike<number>): number {
  if (actual.length !== wanted.length) throw new Error(`${actual.length} values, ${wanted.length} expected`);
  let worst = 0;
  for (let index = 0; index < actual.length; index++) {
    worst = Math.max(worst, Math.abs((actual[index] ?? Number.NaN) - (wanted[index] ?? Number.NaN)));
  }
  return Number.isNaN(worst) ? Number.POSITIVE_INFINITY : worst;
}

/** The largest absolute difference between a tensor and a reference value. */
export function maxError(actual: tf.Tensor, spec: Spec): number {
  return maxAbsError(actual.dataSync(), flat(spec));
}

/** @tdhook/backend's patches for the file (wasm gets the kernels and gradients it lacks), in beforeAll. */
export function useBackendPatches(): void {
  beforeAll(async () => {
    await installPatches(tf.getBackend() as 'wasm' | 'cpu', defaultPatches);
  });
  afterAll(() => {
    restorePatches();
  });
}

/** gpt2-tiny from its checkpoint folder, with adapter-nlp's loader. The caller disposes it. */
export async function loadTinyModel(): Promise<HookedTransformer> {
  return (await loadGpt2Checkpoint(gpt2TinyDirectory)).model;
}

/** gpt2-tiny for a test file, loaded in beforeAll (after the patches) and disposed in afterAll. */
export function useTinyModel(): () => HookedTransformer {
  let model: HookedTransformer | undefined;
  useBackendPatches();
  beforeAll(async () => {
    model = await loadTinyModel();
  });
  afterAll(() => {
    model?.dispose();
  });
  return () => {
    if (model === undefined) throw new Error('the model is loaded in beforeAll');
    return model;
  };
}

/** logits[0, −1, clean_answer] − logits[0, −1, corrupt_answer] of the reference's patching pair. */
export function logitDifference(logits: tf.Tensor): number {
  const { clean_answer: answer, corrupt_answer: versus } = reference().patching_inputs;
  return tf.tidy(() => {
    const last = (logits.shape[1] ?? 1) - 1;
    const a = tf.slice(logits, [0, last, answer], [1, 1, 1]);
    const b = tf.slice(logits, [0, last, versus], [1, 1, 1]);
    return tf.sub(a, b).dataSync()[0] ?? Number.NaN;
  });
}
