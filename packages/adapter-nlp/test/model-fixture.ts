// The gpt2-tiny reference (packages/testing/reference/gpt2-tiny): its folder and bytes, its weights (read with
// the package's readSafetensors), its config as a TransformerConfig and its reference numbers. See the
// fixture's README for the math and tolerances.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { restorePatches } from '@tdhook/backend';
import { defaultPatches, installPatches } from '@tdhook/backend/patches';
import { referenceDirectory } from '@tdhook/testing';

import { HookedTransformer, readSafetensors, type TransformerConfig } from '../src/index.js';

export const fixtureDirectory: string = join(referenceDirectory(), 'gpt2-tiny');

/** A value of reference.json: shape and nested data ("-Infinity" strings for masked scores). */
export interface Spec {
  readonly shape: readonly number[];
  readonly data: unknown;
}

/** Spec → flat Float32Array (strings such as "-Infinity" become numbers). */
export function flat(spec: Spec): Float32Array {
  const values: unknown[] = (spec.data as unknown[]).flat(Number.POSITIVE_INFINITY);
  return Float32Array.from(values, Number);
}

/** Spec → the TensorSpec the closeness matcher takes (numbers, −∞ included). */
export function expected(spec: Spec): { shape: readonly number[]; data: number[] } {
  return { shape: spec.shape, data: Array.from(flat(spec)) };
}

/** Spec → a tensor the caller disposes. */
export function tensorOf(spec: Spec): tf.Tensor {
  return tf.tensor(flat(spec), [...spec.shape], 'float32');
}

interface Grid {
  readonly patched_metric: Spec;
  readonly effect: Spec;
}

/** A weights_index entry of reference.json: a tensor's shape and checksums. */
export interface WeightIndexEntry {
  readonly shape: number[];
  readonly sha256_le_f32: string;
  readonly first4: number[];
  readonly sum_f64: number;
}

/** The parts of reference.json the tests read. */
export interface Reference {
  readonly weights_index: Readonly<Record<string, WeightIndexEntry>>;
  readonly inputs: { readonly tokens: { readonly shape: number[]; readonly data: number[][] } };
  readonly forward: {
    readonly logits: { readonly shape: number[]; readonly data: number[][][] };
    readonly last_position_log_softmax: Spec;
    readonly last_position_argmax: number[];
  };
  readonly activations: {
    readonly tokens: number[][];
    readonly hooks: Readonly<Record<string, Spec>>;
    readonly hook_names: string[];
  };
  readonly patching_inputs: {
    readonly clean: number[][];
    readonly corrupted: number[][];
    readonly clean_answer: number;
    readonly corrupt_answer: number;
  };
  readonly activation_patching: {
    readonly clean_metric: number;
    readonly corrupted_metric: number;
    readonly head_z: Grid;
    readonly resid_pre: Grid;
  };
  readonly attribution_patching: {
    readonly head_z: { readonly atp: Spec };
    readonly resid_pre: { readonly atp: Spec };
    readonly gradients_on_corrupted_run: Readonly<Record<string, Spec>>;
  };
  readonly integrated_gradients: {
    readonly quadrature: { readonly alphas: number[]; readonly step_sizes: number[] };
    readonly results: readonly {
      readonly id: string;
      readonly ids: number[][];
      readonly baseline_ids: number[][];
      readonly target: number[] | null;
      readonly attribution: Spec;
      readonly convergence_delta: Spec;
    }[];
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
    readonly last_position_argmax_unsteered: number[];
    readonly last_position_argmax_steered: number[];
  };
  readonly gradients: {
    readonly clean_metric: {
      readonly ids: number[][];
      readonly gradient: Spec;
      readonly input_x_gradient_per_token: Spec;
    };
    readonly batch_target_logit: {
      readonly ids: number[][];
      readonly target: number[];
      readonly gradient: Spec;
      readonly input_x_gradient_per_token: Spec;
    };
  };
}

let referenceCache: Reference | undefined;
/** reference.json, parsed once per process. */
export function reference(): Reference {
  referenceCache ??= JSON.parse(readFileSync(join(fixtureDirectory, 'reference.json'), 'utf8')) as Reference;
  return referenceCache;
}

/** The fixture's config.json as a TransformerConfig. */
export function tinyConfig(): TransformerConfig {
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

/** The fixture's model.safetensors bytes. */
export function fixtureBytes(): Uint8Array {
  return readFileSync(join(fixtureDirectory, 'model.safetensors'));
}

/** The fixture's tensors as `fromGpt2Weights` takes them (no prefix); the caller disposes them. */
export function tinyWeights(): Record<string, tf.Tensor> {
  const weights: Record<string, tf.Tensor> = {};
  for (const [name, { shape, data }] of Object.entries(readSafetensors(fixtureBytes()).tensors)) {
    weights[name.replace(/^transformer\./, '')] = tf.tensor(data, [...shape], 'float32');
  }
  return weights;
}

/** Builds the gpt2-tiny model from its checkpoint, disposing the loaded tensors. */
export function loadTinyModel(): HookedTransformer {
  const weights = tinyWeights();
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

/**
 * The model for a test file, built in beforeAll and disposed in afterAll, on the backend with
 * @tdhook/backend's patches (wasm gets the gradients it lacks).
 */
export function useTinyModel(): () => HookedTransformer {
  let model: HookedTransformer | undefined;
  beforeAll(async () => {
    await installPatches(tf.getBackend() as 'wasm' | 'cpu', defaultPatches);
    model = loadTinyModel();
  });
  afterAll(() => {
    model?.dispose();
    restorePatches();
  });
  return () => {
    if (model === undefined) throw new Error('the model is built in beforeAll');
    return model;
  };
}

/** The gradient tolerance of the fixture's README: rtol 1e-4 relative to the tensor's max, plus atol 1e-6. */
export function gradientTolerance(spec: Spec): { atol: number; rtol: number } {
  const max = flat(spec).reduce((worst, value) => Math.max(worst, Math.abs(value)), 0);
  return { atol: 1e-4 * max + 1e-6, rtol: 0 };
}

/** logits[b, −1, target] as a [batch] tensor, selected with slices (no gather: wasm lacks its gradient). */
export function lastLogits(logits: tf.Tensor, targets: readonly number[]): tf.Tensor1D {
  return tf.tidy(() => {
    const last = (logits.shape[1] ?? 1) - 1;
    const picked = targets.map((target, batch) => tf.slice(logits, [batch, last, target], [1, 1, 1]));
    return tf.reshape(tf.concat(picked, 0), [targets.length]);
  });
}

/** The patching metric: logits[0, −1, clean_answer] − logits[0, −1, corrupt_answer]. */
export function logitDifference(logits: tf.Tensor): tf.Scalar {
  const { clean_answer: clean, corrupt_answer: corrupt } = reference().patching_inputs;
  return tf.tidy(() => {
    const last = (logits.shape[1] ?? 1) - 1;
    const a = tf.slice(logits, [0, last, clean], [1, 1, 1]);
    const b = tf.slice(logits, [0, last, corrupt], [1, 1, 1]);
    return tf.sum<tf.Scalar>(tf.sub(a, b));
  });
}
