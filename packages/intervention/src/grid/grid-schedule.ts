import { InvalidValueError } from '@tdhook/core';

/**
 * What decides how a patching grid is split into model passes.
 *
 * @example
 * const shape: GridPassShape = { cells: 120, samples: 4, maxRowsPerPass: 64 };
 */
export interface GridPassShape {
  /** Sites of the grid. */
  readonly cells: number;
  /** Rows of one copy of the batch: the product of the data's batch dims. */
  readonly samples: number;
  readonly maxRowsPerPass: number;
}

/** One patched pass: cells `first … first + count − 1`, each a copy of the batch. */
export interface GridChunk {
  readonly first: number;
  readonly count: number;
}

function whole(value: number, name: string, least: number): void {
  if (!Number.isSafeInteger(value) || value < least) {
    throw new InvalidValueError({
      what: `${name} must be a whole number ≥ ${least}, got ${JSON.stringify(value)}`,
      where: 'patchingGridPasses',
      fix: `Pass the grid's ${name}.`,
    });
  }
}

/** Cells per patched pass: whole copies of the batch, as many as fit, at least one. */
export function cellsPerPass(shape: GridPassShape): number {
  return Math.max(1, Math.min(shape.cells, Math.floor(shape.maxRowsPerPass / shape.samples)));
}

/** The patched passes in order: contiguous runs of cells (row-major), the last one possibly shorter. */
export function gridChunks(shape: GridPassShape): GridChunk[] {
  const size = cellsPerPass(shape);
  const chunks: GridChunk[] = [];
  for (let first = 0; first < shape.cells; first += size) {
    chunks.push({ first, count: Math.min(size, shape.cells - first) });
  }
  return chunks;
}

/**
 * How many model passes {@link activationPatchingGrid} makes: one source pass (the source and the
 * unpatched receiving inputs stacked: the source and baseline metrics, and the cached activations), then
 * `ceil(cells / k)` patched passes of `k = max(1, floor(maxRowsPerPass / samples))` cells each.
 *
 * @example
 * patchingGridPasses({ cells: 120, samples: 4, maxRowsPerPass: 64 }); // 1 + ceil(120 / 16) = 9
 */
export function patchingGridPasses(shape: GridPassShape): number {
  whole(shape.cells, 'cells', 1);
  whole(shape.samples, 'samples', 1);
  whole(shape.maxRowsPerPass, 'maxRowsPerPass', 1);
  return 1 + Math.ceil(shape.cells / cellsPerPass(shape));
}
