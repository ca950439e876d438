import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError, type ForwardHook } from '@tdhook/core';
import { describeStructure, isTensor } from '@tdhook/core/plugin';

import type { PatchSite, SiteGrid } from '../sites/patch-site.js';
import { resolveSiteUnits } from '../sites/site-mask.js';
import { chunkMask } from './chunk-mask.js';
import type { GridChunk } from './grid-schedule.js';

type Mode = 'idle' | 'source' | 'patch';

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * The state behind a grid's hooks, two per site path: in the source pass (source rows, then receiving rows)
 * the capture hook keeps the source rows of the path's value; in a patched pass (cells × samples rows, cell
 * by cell) the replace hook writes the kept values into the rows of the cells at that path, only at the
 * elements their site names (`chunkMask`, `tf.where`: the other elements keep the receiving run's values
 * bit for bit). Idle otherwise: a model call outside `run` is not changed.
 */
export class SitePatcher {
  /** The distinct site paths, in the order the grid first names them. */
  readonly paths: readonly string[];
  readonly #sites: readonly PatchSite[];
  readonly #where: string;
  #mode: Mode = 'idle';
  #samples = 0;
  readonly #source = new Map<string, tf.Tensor>();
  readonly #masks = new Map<string, tf.Tensor>();
  /** Per path, its source rows tiled for passes of `#tiledCells` cells: kept while consecutive passes use them. */
  readonly #tiled = new Map<string, tf.Tensor>();
  #tiledCells = 0;

  constructor(grid: SiteGrid, where: string) {
    this.#sites = grid.sites;
    this.#where = where;
    this.paths = [...new Set(grid.sites.map((site) => site.path))];
  }

  #tensor(output: unknown, path: string): tf.Tensor {
    if (!isTensor(output)) {
      throw new InvalidValueError({
        what: `The module at '${path}' returned ${describeStructure(output)}; a site's module must return one tensor`,
        where: `${this.#where} sites`,
        fix: 'Patch a module (or hook point) whose output is a single tensor.',
      });
    }
    return output;
  }

  /** The capture hook of `path`: keeps the source rows during the source pass. */
  capture(path: string): ForwardHook {
    return (output) => {
      if (this.#mode !== 'source') return undefined;
      const value = this.#tensor(output, path);
      if (this.#source.has(path)) {
        throw new InvalidValueError({
          what: `The module at '${path}' ran twice in one forward pass`,
          where: `${this.#where} sites`,
          fix: 'Patch a module that runs once per call (a shared module has one output per use: hook each use).',
        });
      }
      if (value.rank < 1 || value.shape[0] !== 2 * this.#samples) {
        throw new ShapeMismatchError({
          what: `The module at '${path}' returned shape ${shapeText(value.shape)} for a batch of ${2 * this.#samples} rows`,
          where: `${this.#where} sites`,
          fix: 'Patch a module whose output has the batch axis first.',
        });
      }
      this.#source.set(path, tf.keep(tf.slice(value, 0, this.#samples)));
      return undefined;
    };
  }

  /** The replace hook of `path`: writes the source values into the rows of this pass's cells at `path`. */
  replace(path: string): ForwardHook {
    return (output) => {
      if (this.#mode !== 'patch') return undefined;
      const mask = this.#masks.get(path);
      if (mask === undefined) return undefined;
      const value = this.#tensor(output, path);
      const tiled = this.#tiled.get(path);
      if (tiled === undefined || value.shape.join(',') !== mask.shape.join(',')) {
        throw new ShapeMismatchError({
          what: `The module at '${path}' returned shape ${shapeText(value.shape)} in a patched pass, not ${shapeText(mask.shape)}`,
          where: `${this.#where} sites`,
          fix: 'Patch a module whose output shape depends only on the batch size.',
        });
      }
      return tf.where(mask, tiled, value);
    };
  }

  /** Arms the capture hooks for a source pass of `samples` source rows followed by as many receiving rows. */
  beginSource(samples: number): void {
    this.clear();
    this.#samples = samples;
    this.#mode = 'source';
  }

  /**
   * Ends the source pass: every site path must have run, and every site must fit its path's value (a unit
   * outside the shape is a typed error naming the site), before any patched pass.
   */
  endSource(): void {
    this.#mode = 'idle';
    for (const path of this.paths) {
      if (!this.#source.has(path)) {
        throw new InvalidValueError({
          what: `The module at '${path}' did not run in the source pass`,
          where: `${this.#where} sites`,
          fix: 'Patch modules the model calls on these inputs.',
        });
      }
    }
    for (const site of this.#sites) resolveSiteUnits(site, this.#sourceShape(site.path));
  }

  #sourceShape(path: string): number[] {
    return this.#source.get(path)?.shape ?? [];
  }

  /** Arms the replace hooks for one patched pass over the cells of `chunk`. */
  beginChunk(chunk: GridChunk): void {
    this.#disposeMasks();
    const cells = this.#sites.slice(chunk.first, chunk.first + chunk.count);
    const active = this.paths.filter((path) => cells.some((site) => site.path === path));
    // Tiled source rows are reused by the next pass at the same path and size (a grid is row-major).
    for (const [path, tiled] of this.#tiled) {
      if (!active.includes(path) || chunk.count !== this.#tiledCells) {
        tiled.dispose();
        this.#tiled.delete(path);
      }
    }
    this.#tiledCells = chunk.count;
    for (const path of active) {
      const source = this.#source.get(path) as tf.Tensor;
      if (!this.#tiled.has(path)) {
        this.#tiled.set(path, tf.tile(source, [chunk.count, ...source.shape.slice(1).map(() => 1)]));
      }
      this.#masks.set(path, chunkMask(cells, path, source.shape));
    }
    this.#mode = 'patch';
  }

  /** Ends a patched pass: the hooks go idle and the pass's masks are freed. */
  endChunk(): void {
    this.#mode = 'idle';
    this.#disposeMasks();
  }

  #disposeMasks(): void {
    for (const mask of this.#masks.values()) mask.dispose();
    this.#masks.clear();
  }

  /** Frees everything held (after a run, after an error, at restore); the hooks go idle. */
  clear(): void {
    this.#mode = 'idle';
    this.#disposeMasks();
    for (const value of [...this.#source.values(), ...this.#tiled.values()]) value.dispose();
    this.#source.clear();
    this.#tiled.clear();
  }
}
