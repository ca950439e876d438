// The gpt2-tiny reference for the method tests (packages/testing/reference/gpt2-tiny, its README explains the
// conventions and tolerances): the model loaded from its checkpoint on the test backend with
// @tdhook/backend's patches, and the parts of reference.json these tests read.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { restorePatches } from '@tdhook/backend';
import { defaultPatches, installPatches } from '@tdhook/backend/patches';
import { loadGpt2Checkpoint, type HookedTransformer } from '@tdhook/adapter-nlp';
import { referenceDirectory } from '@tdhook/testing';
import { afterAll, beforeAll } from 'vitest';

/** A value of reference.json: shape and nested data. */
export interface Spec {
  readonly shape: readonly number[];
  readonly data: unknown;
}

/** The parts of reference.json the method tests read. */
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
    readonly head_z: { readonly patched_metric: Spec };
    readonly resid_pre: { readonly patched_metric: Spec };
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

export const gpt2TinyDirectory: string = join(referenceDirectory(), 'gpt2-tiny');

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

/** int32 token ids `[rows, positions]`. */
export function tokensOf(ids: readonly (readonly number[])[]): tf.Tensor2D {
  return tf.tensor2d(
    ids.map((row) => [...row]),
    [ids.length, ids[0]?.length ?? 0],
    'int32',
  );
}

/** The largest absolute difference between a tensor and a reference value. */
export function maxError(actual: tf.Tensor, spec: Spec): number {
  const values = actual.dataSync();
  return flat(spec).reduce(
    (worst, value, index) => Math.max(worst, Math.abs((values[index] ?? NaN) - value)),
    0,
  );
}

/**
 * gpt2-tiny for a test file, loaded in beforeAll and disposed in afterAll, on the test backend with
 * @tdhook/backend's patches.
 */
export function useGpt2Tiny(): () => HookedTransformer {
  let model: HookedTransformer | undefined;
  beforeAll(async () => {
    await installPatches(tf.getBackend() as 'wasm' | 'cpu', defaultPatches);
    model = (await loadGpt2Checkpoint(gpt2TinyDirectory)).model;
  });
  afterAll(() => {
    model?.dispose();
    restorePatches();
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
