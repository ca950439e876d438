// Reading the probing references (packages/testing/reference/probing, byte copies of ../shared) for the
// dimension and similarity conformance tests, and collecting the measured errors into one table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { referenceDirectory } from '@tdhook/testing';

/** `{shape, dtype, data}` with data nested row-major, NaN as null; or `{shape, fill}` for constants. */
export interface ArraySpec {
  readonly shape: readonly number[];
  readonly dtype?: string;
  readonly data?: unknown;
  readonly fill?: number;
}

type Json = Record<string, unknown>;

const cache = new Map<string, Json>();

/** One reference file of the probing set, parsed once per process. */
export function probingReference(file: 'dimension-estimation.json' | 'representation-similarity.json'): Json {
  let value = cache.get(file);
  if (value === undefined) {
    value = JSON.parse(readFileSync(join(referenceDirectory(), 'probing', file), 'utf8')) as Json;
    cache.set(file, value);
  }
  return value;
}

/** The flat values of a spec, NaN for null. */
export function flatValues(spec: ArraySpec): number[] {
  const size = spec.shape.reduce((product, n) => product * n, 1);
  if (spec.fill !== undefined) return new Array<number>(size).fill(spec.fill);
  const out: number[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) walk(item);
    else out.push(value === null ? NaN : (value as number));
  };
  walk(spec.data);
  return out;
}

/** A float32 tensor of an input spec (bit-exact: the decimals round back to the float32 values). */
export function inputTensor(spec: ArraySpec): tf.Tensor {
  return tf.tensor(Float32Array.from(flatValues(spec)), [...spec.shape], 'float32');
}

/** Flat indices of `[…, i]` index lists (batched) or plain indices. */
export function flatIndices(list: readonly unknown[], shape: readonly number[]): Set<number> {
  const out = new Set<number>();
  for (const entry of list) {
    if (typeof entry === 'number') out.add(entry);
    else {
      const parts = entry as number[];
      let flat = 0;
      parts.forEach((part, axis) => {
        flat = flat * (shape[axis] as number) + part;
      });
      out.add(flat);
    }
  }
  return out;
}

/** Measured errors per item group, printed as the conformance table when a file's tests end. */
export class ErrorTable {
  readonly #rows = new Map<string, { tolerance: string; max: number; compared: number; skipped: number }>();

  record(group: string, tolerance: string, error: number, compared = 1, skipped = 0): void {
    const row = this.#rows.get(group) ?? { tolerance, max: 0, compared: 0, skipped: 0 };
    row.max = Math.max(row.max, error);
    row.compared += compared;
    row.skipped += skipped;
    this.#rows.set(group, row);
  }

  format(title: string): string {
    const lines = [
      title,
      '| item group | tolerance | max error | values compared | fragile skipped |',
      '|---|---|---|---|---|',
    ];
    for (const [group, row] of this.#rows) {
      lines.push(
        `| ${group} | ${row.tolerance} | ${row.max.toExponential(2)} | ${row.compared} | ${row.skipped} |`,
      );
    }
    return lines.join('\n');
  }
}
