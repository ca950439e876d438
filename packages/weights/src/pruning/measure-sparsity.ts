import { InvalidValueError, resolveModule, type ModelNode } from '@tdhook/core';

import { parametersUnder } from './pruned-parameters.js';

/**
 * The zeros of one parameter.
 *
 * @example
 * const row: ParameterSparsity = { key: 'fc1.kernel', size: 100, zeros: 20, fraction: 0.2 };
 */
export interface ParameterSparsity {
  readonly key: string;
  readonly size: number;
  readonly zeros: number;
  /** zeros / size. */
  readonly fraction: number;
}

/**
 * What {@link measureSparsity} reports: each parameter, then the totals over all of them.
 *
 * @example
 * const report: SparsityReport = measureSparsity(model);
 * report.fraction; // zeros / size over every parameter
 */
export interface SparsityReport {
  readonly parameters: readonly ParameterSparsity[];
  readonly zeros: number;
  readonly size: number;
  readonly fraction: number;
}

/**
 * Options of {@link measureSparsity}.
 *
 * @example
 * measureSparsity(model, { paths: ['conv1', 'conv2'] });
 */
export interface MeasureSparsityOptions {
  /** Only the parameters under these modules. Default: the whole model. */
  readonly paths?: readonly string[];
}

/**
 * The share of exactly-zero entries in every float parameter of `model` (each variable once, at the module
 * that owns it, in model order) and in total: the sparsity a pruning achieved, per layer. Reads the values
 * now; no tensor is left behind.
 *
 * @example
 * using prepared = pruning({ amount: 0.5 }).prepare(model);
 * const { parameters, fraction } = measureSparsity(model); // fraction ≈ 0.5
 */
export function measureSparsity(model: ModelNode, options: MeasureSparsityOptions = {}): SparsityReport {
  const { paths = [''] } = options;
  if (!Array.isArray(paths) || !paths.every((path) => typeof path === 'string')) {
    throw new InvalidValueError({
      what: 'paths must be a list of module paths',
      where: 'measureSparsity paths',
      fix: "Pass e.g. { paths: ['conv1'] }, or leave it out for the whole model.",
    });
  }
  const seen = new Set<string>();
  const parameters: ParameterSparsity[] = [];
  for (const path of paths) {
    const node = path === '' ? model : resolveModule(model, path);
    for (const entry of parametersUnder(node, path)) {
      if (seen.has(entry.key)) continue;
      seen.add(entry.key);
      const values = entry.variable.dataSync();
      let zeros = 0;
      for (const value of values) if (value === 0) zeros += 1;
      parameters.push({ key: entry.key, size: values.length, zeros, fraction: zeros / values.length });
    }
  }
  const zeros = parameters.reduce((total, row) => total + row.zeros, 0);
  const size = parameters.reduce((total, row) => total + row.size, 0);
  return { parameters, zeros, size, fraction: size === 0 ? 0 : zeros / size };
}
