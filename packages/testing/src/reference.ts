import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { TensorSpec } from './tensor-values.js';

/** The two reference models: a 16→64→64→10 MLP and a small CNN on 16×16 single-channel images. */
export type ReferenceModelName = 'mlp' | 'cnn';

/** One model fixture: weights in both layouts, inputs and outputs. */
export interface ReferenceModel {
  readonly name: ReferenceModelName;
  readonly architecture: {
    readonly summary: string;
    readonly layers: ReadonlyArray<Readonly<Record<string, string | number>>>;
  };
  /** Weights in TF.js layout: dense kernel `[in,out]`, conv kernel HWIO. Keys like `fc1.kernel`, `fc1.bias`. */
  readonly paramsTfjs: Readonly<Record<string, TensorSpec>>;
  /** Weights in PyTorch layout, as the references were computed. */
  readonly paramsTorch: Readonly<Record<string, TensorSpec>>;
  /** `x` and `baseline` (PyTorch layout); for the CNN also `x_nhwc` and `baseline_nhwc`. */
  readonly inputs: Readonly<Record<string, TensorSpec>>;
  readonly logits: TensorSpec;
  readonly argmax: readonly number[];
}

/** One attribution computed by captum or zennit. */
export interface ReferenceResult {
  readonly id: string;
  readonly library: 'captum' | 'zennit';
  readonly method: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly head: string;
  readonly targetSpec: string;
  /** The target class per sample. */
  readonly target: readonly number[];
  /** Layout as the reference states it: `NC`, `NCHW`, or `NCHW [N,1,8,8] (...)` for Grad-CAM maps. */
  readonly layout: string;
  /** The attribution in PyTorch layout. */
  readonly attribution: TensorSpec;
  /** The attribution in TF.js layout: rank-4 NCHW results are transposed to NHWC; others are unchanged. */
  readonly attributionTfjs: TensorSpec;
  /** Extra per-sample values some methods record (IG: convergence_delta, f_x, …; LRP: relevance_sum, f_x). */
  readonly extras: Readonly<Record<string, readonly number[]>>;
}

/** The exact step points (`alphas`) and weights (`step_sizes`) captum used for one IG method. */
export interface IgQuadrature {
  readonly n_steps: number;
  readonly alphas: readonly number[];
  readonly step_sizes: readonly number[];
  readonly sum_step_sizes: number;
}

/** A whole reference file: the results plus the quadrature that integrated gradients used. */
export interface ReferenceResults {
  readonly model: ReferenceModelName;
  readonly env: Readonly<Record<string, unknown>>;
  /** Integrated-gradients step points and weights, keyed by method (`riemann_trapezoid`, `gausslegendre`). */
  readonly igQuadrature: Readonly<Record<string, IgQuadrature>>;
  readonly results: readonly ReferenceResult[];
}

const referenceDirectoryVariable = 'TDHOOK_REFERENCE_DIR';

/** Where the fixtures live: `TDHOOK_REFERENCE_DIR` if set, else the copies shipped in this package. */
export function referenceDirectory(): string {
  const override = process.env[referenceDirectoryVariable];
  if (override !== undefined && override !== '') return override;
  return fileURLToPath(new URL('../reference/', import.meta.url));
}

const parsed = new Map<string, unknown>();

function readJson(file: string): unknown {
  const path = join(referenceDirectory(), file);
  let value = parsed.get(path);
  if (value === undefined) {
    value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    parsed.set(path, value);
  }
  return value;
}

interface RawModel {
  name: ReferenceModelName;
  architecture: ReferenceModel['architecture'];
  params_tfjs: Record<string, TensorSpec>;
  params_torch: Record<string, TensorSpec>;
  inputs: Record<string, TensorSpec>;
  outputs: { logits: TensorSpec; argmax: number[] };
}

/**
 * Loads a reference model fixture (parsed once per process).
 *
 * @example
 * const mlp = loadReferenceModel('mlp');
 * const kernel = tensorFromSpec(mlp.paramsTfjs['fc1.kernel']!); // [16, 64]
 */
export function loadReferenceModel(name: ReferenceModelName): ReferenceModel {
  const raw = readJson(`${name}.json`) as RawModel;
  return {
    name: raw.name,
    architecture: raw.architecture,
    paramsTfjs: raw.params_tfjs,
    paramsTorch: raw.params_torch,
    inputs: raw.inputs,
    logits: raw.outputs.logits,
    argmax: raw.outputs.argmax,
  };
}

/** Permutes a rank-4 NCHW spec to NHWC (TF.js image layout). */
export function nchwToNhwc(spec: TensorSpec): TensorSpec {
  const [n = 0, c = 0, h = 0, w = 0] = spec.shape;
  const source = spec.data as readonly (readonly (readonly (readonly number[])[])[])[];
  const data: number[][][][] = [];
  for (let b = 0; b < n; b++) {
    const image: number[][][] = [];
    for (let y = 0; y < h; y++) {
      const row: number[][] = [];
      for (let x = 0; x < w; x++) {
        const pixel: number[] = [];
        for (let ch = 0; ch < c; ch++) pixel.push(source[b]?.[ch]?.[y]?.[x] ?? NaN);
        row.push(pixel);
      }
      image.push(row);
    }
    data.push(image);
  }
  return { shape: [n, h, w, c], data };
}

interface RawResult {
  id: string;
  library: 'captum' | 'zennit';
  method: string;
  options: Record<string, unknown>;
  head: string;
  target_spec: string;
  target: number[];
  layout: string;
  attribution: TensorSpec;
  [extra: string]: unknown;
}

const resultFields = new Set([
  'id',
  'library',
  'method',
  'options',
  'head',
  'target_spec',
  'target',
  'layout',
  'attribution',
]);

function toResult(raw: RawResult): ReferenceResult {
  const extras: Record<string, readonly number[]> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!resultFields.has(key) && Array.isArray(value)) extras[key] = value as number[];
  }
  const isImage = raw.layout.startsWith('NCHW') && raw.attribution.shape.length === 4;
  return {
    id: raw.id,
    library: raw.library,
    method: raw.method,
    options: raw.options,
    head: raw.head,
    targetSpec: raw.target_spec,
    target: raw.target,
    layout: raw.layout,
    attribution: raw.attribution,
    attributionTfjs: isImage ? nchwToNhwc(raw.attribution) : raw.attribution,
    extras,
  };
}

/**
 * Loads the captum/zennit results for a reference model.
 *
 * @example
 * const { results } = loadReferenceResults('mlp');
 * const saliency = results.find((r) => r.id === 'saliency_raw__logits__argmax');
 */
export function loadReferenceResults(name: ReferenceModelName): ReferenceResults {
  const raw = readJson(`reference-${name}.json`) as {
    model: ReferenceModelName;
    env: Record<string, unknown>;
    ig_quadrature: ReferenceResults['igQuadrature'];
    results: RawResult[];
  };
  return {
    model: raw.model,
    env: raw.env,
    igQuadrature: raw.ig_quadrature,
    results: raw.results.map(toResult),
  };
}

/**
 * Finds one reference result by id, or throws an error listing the ids that exist.
 *
 * @example
 * const r = findReferenceResult('cnn', 'layer_gradcam_conv2__logits__argmax');
 */
export function findReferenceResult(name: ReferenceModelName, id: string): ReferenceResult {
  const { results } = loadReferenceResults(name);
  const found = results.find((result) => result.id === id);
  if (found === undefined) {
    throw new Error(
      `No reference result "${id}" for ${name}. Known ids: ${results.map((r) => r.id).join(', ')}`,
    );
  }
  return found;
}
