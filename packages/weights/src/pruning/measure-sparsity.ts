import { listParameters, readParameters, type ModelNode } from '@tdhook/core';

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
  const keys = new Set(
    listParameters(model, options.paths === undefined ? {} : { paths: options.paths })
      .filter((info) => info.dtype === 'float32')
      .map((info) => info.key),
  );
  using values = readParameters(model, options.paths === undefined ? {} : { paths: options.paths });
  const parameters: ParameterSparsity[] = [];
  for (const key of keys) {
    const data = values.getTensor(key).dataSync();
    let zeros = 0;
    for (const value of data) if (value === 0) zeros += 1;
    parameters.push({ key, size: data.length, zeros, fraction: data.length === 0 ? 0 : zeros / data.length });
  }
  const zeros = parameters.reduce((total, row) => total + row.zeros, 0);
  const size = parameters.reduce((total, row) => total + row.size, 0);
  return { parameters, zeros, size, fraction: size === 0 ? 0 : zeros / size };
}
