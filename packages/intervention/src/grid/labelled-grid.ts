import type * as tf from '@tensorflow/tfjs-core';
import { ShapeMismatchError } from '@tdhook/core';

import type { GridAxis, SiteGrid } from '../sites/patch-site.js';

/**
 * Numbers on a labelled grid (one per site of a {@link SiteGrid}), row-major over `axes`: what plots,
 * tables and correlations read. Plain data, no tensors.
 *
 * @example
 * const grid = LabelledGrid.fromSamples(result.getTensor(['patching', 'effect']), sites); // mean over samples
 * grid.at(1, 3); // layer 1, head 3
 * grid.rows(); // number[][] for a 2-D grid
 */
export class LabelledGrid {
  readonly axes: readonly GridAxis[];
  readonly shape: readonly number[];
  readonly values: Float64Array;

  constructor(axes: readonly GridAxis[], values: ArrayLike<number>) {
    this.axes = axes;
    this.shape = axes.map((axis) => axis.labels.length);
    const cells = this.shape.reduce((product, size) => product * size, 1);
    if (values.length !== cells) {
      throw new ShapeMismatchError({
        what: `${values.length} values for a grid of [${this.shape.join(' × ')}] = ${cells} cells`,
        where: 'LabelledGrid',
        fix: 'Give one value per cell, row-major.',
      });
    }
    this.values = Float64Array.from(values);
  }

  /**
   * The grid of the mean over samples of a `[...batchShape, ...grid.shape]` tensor (a grid method's result,
   * with any batch dims: `[samples]`, `[templates, prompts]`, or none). Reads the tensor; does not dispose it.
   *
   * @example
   * LabelledGrid.fromSamples(result.getTensor(['patching', 'effect']), sites).rows();
   */
  static fromSamples(samples: tf.Tensor, grid: SiteGrid): LabelledGrid {
    const cells = grid.shape.reduce((product, size) => product * size, 1);
    const expected = grid.shape.join(', ');
    const batchRank = samples.rank - grid.shape.length;
    if (batchRank < 0 || samples.shape.slice(batchRank).join(', ') !== expected) {
      throw new ShapeMismatchError({
        what: `A tensor of shape [${samples.shape.join(', ')}] does not end in the grid's [${expected}]`,
        where: 'LabelledGrid.fromSamples',
        fix: 'Pass a grid method result ([...batchShape, ...grid]) with the site grid it was run on.',
      });
    }
    const rows = samples.shape.slice(0, batchRank).reduce((product, size) => product * size, 1);
    const data = samples.dataSync();
    const mean = new Float64Array(cells);
    for (let row = 0; row < rows; row++)
      for (let cell = 0; cell < cells; cell++)
        mean[cell] = (mean[cell] ?? 0) + (data[row * cells + cell] ?? 0) / rows;
    return new LabelledGrid(grid.axes, mean);
  }

  /** The value at one index per axis; a `ShapeMismatchError` for another count or an index outside its axis. */
  at(...index: number[]): number {
    const outside =
      index.length !== this.shape.length ||
      index.some((at, axis) => !Number.isInteger(at) || at < 0 || at >= (this.shape[axis] ?? 0));
    if (outside) {
      throw new ShapeMismatchError({
        what: `at(${index.join(', ')}) on a grid of [${this.shape.join(' × ')}]`,
        where: 'LabelledGrid.at',
        fix: `Give one whole index per axis (${this.axes.map((axis) => axis.name).join(', ')}), each from 0 to its size − 1.`,
      });
    }
    let flat = 0;
    this.shape.forEach((size, axis) => {
      flat = flat * size + (index[axis] ?? 0);
    });
    return this.values[flat] ?? Number.NaN;
  }

  /** A 2-D grid as rows (axis 0) of columns (axis 1); a 1-D grid as one row. */
  rows(): number[][] {
    if (this.shape.length === 1) return [Array.from(this.values)];
    if (this.shape.length !== 2) {
      throw new ShapeMismatchError({
        what: `rows() needs a 1-D or 2-D grid; this one is [${this.shape.join(' × ')}]`,
        where: 'LabelledGrid.rows',
        fix: 'Read values with at(...), or sum over an axis first.',
      });
    }
    const [height = 0, width = 0] = this.shape;
    return Array.from({ length: height }, (_, row) =>
      Array.from(this.values.subarray(row * width, (row + 1) * width)),
    );
  }
}
