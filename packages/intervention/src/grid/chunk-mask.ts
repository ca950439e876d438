import * as tf from '@tensorflow/tfjs-core';

import type { PatchSite } from '../sites/patch-site.js';
import { resolveSiteUnits } from '../sites/site-mask.js';

const product = (sizes: readonly number[]): number => sizes.reduce((total, size) => total * size, 1);

/** Sets the elements of one sample's block that every named axis allows (whole runs on the last axis). */
function fillBlock(
  block: Uint8Array,
  rest: readonly number[],
  strides: readonly number[],
  named: ReadonlyMap<number, number>,
  axis: number,
  offset: number,
): void {
  if (axis === rest.length) {
    block[offset] = 1;
    return;
  }
  const size = rest[axis] ?? 0;
  const stride = strides[axis] ?? 1;
  const index = named.get(axis);
  if (axis === rest.length - 1) {
    if (index === undefined) block.fill(1, offset, offset + size);
    else block[offset + index] = 1;
    return;
  }
  if (index !== undefined) {
    fillBlock(block, rest, strides, named, axis + 1, offset + index * stride);
    return;
  }
  for (let at = 0; at < size; at++) fillBlock(block, rest, strides, named, axis + 1, offset + at * stride);
}

/**
 * Which elements one patched pass writes at `path`: a bool tensor of the pass's value shape,
 * `[cells · samples, ...rest]` for a source value of shape `[samples, ...rest]`, true in the rows of the cells
 * whose site is at `path`, at the elements the site names (each cell's `siteMask`, repeated over the samples).
 * Written in plain memory and uploaded once, so a pass costs no kernel per cell and none to broadcast: the
 * replace hook's `tf.where` then reads three tensors of one shape. The caller owns it.
 *
 * @example
 * const mask = chunkMask(grid.sites.slice(0, 16), 'blocks.0.attn.hook_z', [4, 15, 4, 16]); // [64, 15, 4, 16]
 */
export function chunkMask(cells: readonly PatchSite[], path: string, shape: readonly number[]): tf.Tensor {
  const [samples = 0, ...rest] = shape;
  const size = product(rest);
  const strides = rest.map((_, axis) => product(rest.slice(axis + 1)));
  const data = new Uint8Array(cells.length * samples * size);
  const block = new Uint8Array(size);
  cells.forEach((site, cell) => {
    if (site.path !== path) return;
    const named = new Map(resolveSiteUnits(site, shape).map((unit) => [unit.axis - 1, unit.index]));
    block.fill(0);
    fillBlock(block, rest, strides, named, 0, 0);
    for (let sample = 0; sample < samples; sample++) data.set(block, (cell * samples + sample) * size);
  });
  return tf.tensor(data, [cells.length * samples, ...rest], 'bool');
}
