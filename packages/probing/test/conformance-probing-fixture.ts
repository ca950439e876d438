// Reading probing.json (the numpy / scikit-learn 1.2.1 references shipped in @tdhook/testing) and keeping the
// conformance table: one row per reference item with its tolerance and the measured max error.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { referenceDirectory } from '@tdhook/testing';

/** `value`, or a thrown error naming `what` if it is undefined (tests index fixtures they trust). */
export function defined<T>(value: T | undefined, what = 'value'): T {
  if (value === undefined) throw new Error(`${what} is undefined`);
  return value;
}

/** `{shape, dtype, data}` with data nested row-major; NaN as null. */
export interface ArraySpec {
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'float64' | 'int' | 'bool';
  readonly data: unknown;
}

type Json = Record<string, unknown>;

/** A dataset of probing.json. */
export interface ProbingDataset {
  readonly x: ArraySpec;
  readonly y: ArraySpec;
  readonly train_idx: readonly number[];
  readonly test_idx: readonly number[];
  readonly cv_test_folds?: readonly (readonly number[])[];
}

/** A result entry; fields differ by estimator. */
export type ProbingResult = Json & { readonly id: string };

/** An error case. */
export interface ProbingError {
  readonly description: string;
  readonly estimator: string;
  readonly params: Json;
  readonly stage: 'construct' | 'call' | 'access';
  readonly access?: string;
  readonly input?: ArraySpec;
  readonly y?: unknown;
  readonly message: string;
  readonly match: string;
}

/** The parsed probing.json. */
export interface ProbingReference {
  readonly datasets: Readonly<Record<'binary' | 'multiclass' | 'regression', ProbingDataset>>;
  readonly results: readonly ProbingResult[];
  readonly errors: readonly ProbingError[];
}

let parsed: ProbingReference | undefined;

/** probing.json, parsed once per file. */
export function probingReference(): ProbingReference {
  parsed ??= JSON.parse(
    readFileSync(join(referenceDirectory(), 'probing', 'probing.json'), 'utf8'),
  ) as ProbingReference;
  return parsed;
}

/** The result with this id (throws if absent, so a renamed item fails loudly). */
export function result(id: string): ProbingResult {
  const found = probingReference().results.find((entry) => entry.id === id);
  if (found === undefined) throw new Error(`probing.json has no result '${id}'`);
  return found;
}

/** Row-major values of nested data; booleans as 0/1, null as NaN. */
export function flat(data: unknown): number[] {
  if (Array.isArray(data)) return data.flatMap((item: unknown) => flat(item));
  if (data === null) return [Number.NaN];
  return [Number(data)];
}

/** The rows `indices` (all if omitted) of a `[n, d]` spec as a float32 tensor (rounded to float32 on entry). */
export function rowsTensor(spec: ArraySpec, indices?: readonly number[]): tf.Tensor2D {
  const rows = spec.data as unknown[][];
  const picked = indices === undefined ? rows : indices.map((i) => defined(rows[i], `row ${i}`));
  return tf.tensor2d(Float32Array.from(picked.flatMap((row) => flat(row))), [
    picked.length,
    defined(spec.shape[1]),
  ]);
}

/** The entries `indices` (all if omitted) of a `[n]` spec or list: int32 for labels, else float32. */
export function vectorTensor(
  values: ArraySpec | readonly number[],
  indices?: readonly number[],
): tf.Tensor1D {
  const all = Array.isArray(values) ? (values as number[]) : flat((values as ArraySpec).data);
  const dtype = Array.isArray(values) || (values as ArraySpec).dtype === 'int' ? 'int32' : 'float32';
  const picked = indices === undefined ? all : indices.map((i) => defined(all[i], `entry ${i}`));
  return tf.tensor1d(picked, dtype);
}

/** One row of the conformance table. */
export interface ConformanceRow {
  readonly item: string;
  /** `abs`: max |actual − expected|; `rel`: max |actual − expected| / max |expected|; `exact`: mismatches. */
  readonly kind: 'abs' | 'rel' | 'exact';
  readonly tolerance: number;
  readonly error: number;
}

/** Max |a − b| (or normwise relative), NaN-safe: a NaN on one side only counts as infinite. */
export function maxError(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  kind: 'abs' | 'rel',
): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = defined(actual[i]);
    const b = defined(expected[i]);
    scale = Math.max(scale, Math.abs(b));
    const error = a === b || (Number.isNaN(a) && Number.isNaN(b)) ? 0 : Math.abs(a - b);
    worst = Math.max(worst, Number.isNaN(error) ? Number.POSITIVE_INFINITY : error);
  }
  return kind === 'rel' && scale > 0 ? worst / scale : worst;
}

/** The number of positions where the values differ. */
export function mismatches(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let count = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] !== expected[i]) count++;
  return count;
}

/** The table as markdown. */
export function markdownTable(rows: readonly ConformanceRow[]): string {
  const lines = ['| item | tolerance | max error |', '|---|---|---|'];
  for (const row of rows) {
    const tolerance = row.kind === 'exact' ? 'exact' : `${row.kind} ${row.tolerance.toExponential(0)}`;
    const error = row.kind === 'exact' ? `${row.error} differing` : row.error.toExponential(2);
    lines.push(`| ${row.item} | ${tolerance} | ${error} |`);
  }
  return lines.join('\n');
}
