// One scenario of a SuiteResult arranged for a report: its grid points in order, its variants (baseline
// first), and each variant's measurement and ratios at each point.
import type { Comparison, Measurement, SuiteResult } from '../measurement.js';
import type { Params } from '../scenario.js';
import { splitParams } from './format.js';

export interface ScenarioView {
  readonly id: string;
  readonly title: string;
  readonly description: string | undefined;
  readonly baseline: string;
  /** Baseline first, then the others in the order they ran. */
  readonly variants: readonly string[];
  readonly points: readonly Params[];
  /** Parameters that change across the grid (they label the points) and those that do not. */
  readonly varying: readonly string[];
  readonly constant: readonly string[];
  measurement(point: Params, variant: string): Measurement | undefined;
  comparison(point: Params): Comparison | undefined;
}

const key = (params: Params): string => JSON.stringify(params);

/** The view of scenario `id` of `result`. */
export function scenarioView(result: SuiteResult, id: string): ScenarioView {
  const info = result.scenarios.find((scenario) => scenario.id === id);
  const measurements = result.measurements.filter((m) => m.scenario === id);
  const comparisons = result.comparisons.filter((c) => c.scenario === id);
  const baseline = info?.baseline ?? comparisons[0]?.baseline ?? measurements[0]?.variant ?? '';
  const ran = [...new Set(measurements.map((m) => m.variant))];
  const variants = [baseline, ...ran.filter((variant) => variant !== baseline)].filter(
    (variant) => variant !== '',
  );
  // Grid order: the comparisons follow the grid; measurements cover points a comparison might lack.
  const seen = new Map<string, Params>();
  for (const { params } of [...comparisons, ...measurements]) {
    if (!seen.has(key(params))) seen.set(key(params), params);
  }
  const points = [...seen.values()];
  const { varying, constant } = splitParams(points);
  return {
    id,
    title: info?.title ?? id,
    description: info?.description,
    baseline,
    variants,
    points,
    varying,
    constant,
    measurement: (point, variant) =>
      measurements.find((m) => m.variant === variant && key(m.params) === key(point)),
    comparison: (point) => comparisons.find((c) => key(c.params) === key(point)),
  };
}
