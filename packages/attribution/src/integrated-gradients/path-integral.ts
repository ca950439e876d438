import * as tf from '@tensorflow/tfjs-core';

import { gradientPass, type TargetStrategy } from '../engine/gradient-pass.js';
import type { GradientBinding } from '../gradient-method.js';
import type { ResolvedTarget } from '../targets.js';
import type { Quadrature } from './quadrature.js';

/** What {@link integratePath} needs besides the binding. */
export interface PathOptions {
  readonly quadrature: Quadrature;
  readonly chunkSize?: number | undefined;
  readonly strategy?: TargetStrategy | undefined;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/** Which rows and steps one model pass takes: samples `[start, start+size)` at steps `[step, step+steps)`. */
interface Chunk {
  readonly start: number;
  readonly size: number;
  readonly step: number;
  readonly steps: number;
}

/**
 * Whole steps per pass when the batch fits in `chunkSize` (rows = steps × batch, step-major as in captum);
 * otherwise one step per pass over blocks of `chunkSize` samples.
 */
function chunksOf(rows: number, steps: number, chunkSize: number | undefined): Chunk[][] {
  const limit = chunkSize ?? rows * steps;
  const blockSize = Math.min(rows, limit);
  const stepsPerPass = Math.min(steps, Math.max(1, Math.floor(limit / blockSize)));
  const blocks: Chunk[][] = [];
  for (let start = 0; start < rows; start += blockSize) {
    const size = Math.min(blockSize, rows - start);
    const block: Chunk[] = [];
    for (let step = 0; step < steps; step += stepsPerPass) {
      block.push({ start, size, step, steps: Math.min(stepsPerPass, steps - step) });
    }
    blocks.push(block);
  }
  return blocks;
}

/** `[k, 1, …, 1]` for broadcasting one value per step over `[k, samples, ...features]`. */
function perStep(values: readonly number[], rank: number): tf.Tensor {
  return tf.reshape(tf.tensor1d(values as number[], 'float32'), [
    values.length,
    ...Array<number>(rank).fill(1),
  ]);
}

/** The model inputs of one chunk: interpolated inputs at `b + α(x − b)`, the others at `x`; `[k·size, ...]`. */
function pathInputs(
  inputs: readonly tf.Tensor[],
  baselines: ReadonlyMap<number, tf.Tensor>,
  alphas: readonly number[],
  chunk: Chunk,
): tf.Tensor[] {
  return tf.tidy(() =>
    inputs.map((input, index) => {
      const x = tf.slice(input, chunk.start, chunk.size);
      const rows = [chunk.steps * chunk.size, ...x.shape.slice(1)];
      const baseline = baselines.get(index);
      if (baseline === undefined) return tf.reshape(tf.broadcastTo(x, [chunk.steps, ...x.shape]), rows);
      const b = tf.slice(baseline, chunk.start, chunk.size);
      const alpha = perStep(alphas.slice(chunk.step, chunk.step + chunk.steps), x.rank);
      return tf.reshape(tf.add(b, tf.mul(alpha, tf.sub(x, b))), rows);
    }),
  );
}

/**
 * `Σᵢ wᵢ ∇f(b + αᵢ(x − b))` for every target and source, `[target][source]`, each `[rows, ...]`: the gradient
 * passes of integrated gradients, chunked to at most `chunkSize` rows. Targets must be pinned (argmax fixed
 * at x): their `sampleOfRow` maps each path row to its sample.
 */
export function integratePath(
  binding: GradientBinding,
  inputs: readonly tf.Tensor[],
  baselines: ReadonlyMap<number, tf.Tensor>,
  targets: readonly ResolvedTarget[],
  options: PathOptions,
): tf.Tensor[][] {
  const { alphas, weights } = options.quadrature;
  const rows = inputs[0]?.shape[0] ?? 0;
  const blocks = chunksOf(rows, alphas.length, options.chunkSize);
  const total = blocks.reduce((count, block) => count + block.length, 0);
  let done = 0;
  const results: tf.Tensor[][][] = [];
  let sums: tf.Tensor[][] | undefined;
  try {
    for (const block of blocks) {
      for (const chunk of block) {
        const chunkInputs = pathInputs(inputs, baselines, alphas, chunk);
        const sampleOfRow = tf.tidy(() =>
          tf.tile(tf.range(chunk.start, chunk.start + chunk.size, 1, 'int32'), [chunk.steps]),
        );
        let pass;
        try {
          pass = gradientPass(binding.model, chunkInputs, binding.gradientSources, targets, {
            sampleOfRow,
            ...(options.strategy === undefined ? {} : { strategy: options.strategy }),
          });
        } finally {
          tf.dispose([...chunkInputs, sampleOfRow]);
        }
        const previous: tf.Tensor[][] | undefined = sums;
        try {
          sums = tf.tidy(() =>
            pass.gradients.map((perSource, target) =>
              perSource.map((gradient, source) => {
                const shaped = tf.reshape(gradient, [chunk.steps, chunk.size, ...gradient.shape.slice(1)]);
                const w = perStep(weights.slice(chunk.step, chunk.step + chunk.steps), gradient.rank);
                const sum = tf.sum(tf.mul(shaped, w), 0);
                const before = previous?.[target]?.[source];
                return before === undefined ? sum : tf.add(before, sum);
              }),
            ),
          );
        } finally {
          tf.dispose([...pass.outputs, ...pass.sources, ...pass.gradients.flat()]);
        }
        if (previous !== undefined) tf.dispose(previous.flat());
        done += 1;
        options.onProgress?.(done, total);
      }
      results.push(sums ?? []);
      sums = undefined;
    }
  } catch (error) {
    tf.dispose([...results.flat(2), ...(sums ?? []).flat()]);
    throw error;
  }
  if (results.length === 1) return results[0] as tf.Tensor[][];
  // Blocks of samples: join them along the rows.
  const joined = tf.tidy(() =>
    (results[0] ?? []).map((perSource, target) =>
      perSource.map((_, source) =>
        tf.concat(
          results.map((block) => block[target]?.[source] as tf.Tensor),
          0,
        ),
      ),
    ),
  );
  tf.dispose(results.flat(2));
  return joined;
}
