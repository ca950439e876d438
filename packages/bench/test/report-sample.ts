// A hand-made suite result for the report tests: two scenarios, a grid whose run times span orders of
// magnitude (log axis), three variants, one failed measurement and one note.
import type { Comparison, Measurement, SuiteResult } from '../src/index.js';
import type { Params } from '../src/scenario.js';

function measurement(
  scenario: string,
  variant: string,
  params: Params,
  runMs: number,
  extra: Partial<Measurement> = {},
): Measurement {
  return {
    scenario,
    variant,
    params,
    backend: 'wasm',
    spawnMs: 420 + runMs / 10,
    run: { median: runMs, p10: runMs * 0.93, p90: runMs * 1.12, runs: 3 },
    peakRssMiB: 180 + runMs / 20,
    tensorBytesAfterSetup: 4 * 64 * 64,
    tensorPeakBytes: Math.round(runMs * 52_000),
    ...extra,
  };
}

const igPoints: Params[] = [64, 256, 1024].flatMap((width) =>
  [8, 32].map((batch) => ({ width, depth: 5, batch, targets: 10 })),
);
const igFactor = { plain: 1, tdhook: 0.55, 'tdhook-per-target': 1.08 } as const;
const igMeasurements = igPoints.flatMap((params) =>
  Object.entries(igFactor).map(([variant, factor]) =>
    measurement(
      'ig-multi-target',
      variant,
      params,
      factor * (Number(params.width) ** 1.3 / 40) * (Number(params.batch) / 8),
    ),
  ),
);

const lrpPoints: Params[] = [1, 8, 32].map((batch) => ({ model: 'mlp', batch }));
const lrpMeasurements: Measurement[] = lrpPoints.flatMap((params) => [
  measurement('lrp', 'plain', params, 3 * Number(params.batch)),
  Number(params.batch) === 32
    ? measurement('lrp', 'tdhook', params, NaN, {
        spawnMs: NaN,
        peakRssMiB: NaN,
        tensorPeakBytes: NaN,
        tensorBytesAfterSetup: NaN,
        run: { median: NaN, p10: NaN, p90: NaN, runs: 0 },
        error: 'out of memory | at batch 32',
      })
    : measurement('lrp', 'tdhook', params, 2.4 * Number(params.batch), {
        ...(Number(params.batch) === 8 ? { note: 'relevance sums to the logit within 1e-6' } : {}),
      }),
]);

const measurements = [...igMeasurements, ...lrpMeasurements];

function compare(scenario: string, params: Params): Comparison {
  const at = measurements.filter(
    (m) => m.scenario === scenario && JSON.stringify(m.params) === JSON.stringify(params),
  );
  const base = at.find((m) => m.variant === 'plain');
  const others = at.filter((m) => m.variant !== 'plain');
  return {
    scenario,
    params,
    baseline: 'plain',
    speedup: Object.fromEntries(others.map((m) => [m.variant, (base?.run.median ?? NaN) / m.run.median])),
    memoryRatio: Object.fromEntries(
      others.map((m) => [m.variant, m.tensorPeakBytes / (base?.tensorPeakBytes ?? NaN)]),
    ),
  };
}

/** The sample result. */
export const sampleResult: SuiteResult = {
  date: '2025-11-26T18:00:00.000Z',
  preset: 'quick',
  machine: {
    cpus: '2 × AMD EPYC 7B13',
    memoryGiB: 24,
    platform: 'linux 6.1.0',
    node: 'v20.20.2',
    tfjs: '4.22.0',
  },
  scenarios: [
    {
      id: 'ig-multi-target',
      title: 'Integrated gradients, 10 targets',
      description:
        'All targets in one call (tdhook), one call per target (tdhook-per-target), and plain TF.js.',
      baseline: 'plain',
    },
    { id: 'lrp', title: 'LRP epsilon-plus', baseline: 'plain' },
  ],
  measurements,
  comparisons: [
    ...igPoints.map((params) => compare('ig-multi-target', params)),
    ...lrpPoints.map((params) => compare('lrp', params)),
  ],
};
