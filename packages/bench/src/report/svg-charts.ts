// The charts of a suite result: per scenario, bars per metric grouped by grid point (one colour per variant)
// and a heatmap of the speed-ups over the baseline.
import type { Measurement, SuiteResult } from '../measurement.js';
import type { Params } from '../scenario.js';
import { drawBarChart } from './bar-chart.js';
import { variantColours } from './colours.js';
import { byteUnit, durationUnit, formatParams } from './format.js';
import { drawHeatmap } from './heatmap.js';
import { scenarioView, type ScenarioView } from './scenario-view.js';

/**
 * What a bar chart shows: `run` (median run time, p10–p90 whiskers), `spawn` (process start to the variant
 * being ready), `rss` (peak resident set of the process), `tensor-peak` (TF.js tensor bytes during one call),
 * `gpu` (TF.js GPU bytes, on backends that report them).
 *
 * @example
 * const metric: ChartMetric = 'run';
 * writeFileSync(`ig-${metric}.svg`, barChartSvg(result, 'ig-multi-target', metric));
 */
export type ChartMetric = 'run' | 'spawn' | 'rss' | 'tensor-peak' | 'gpu';

interface MetricSpec {
  readonly name: string;
  readonly explain: string;
  readonly kind: 'time' | 'mib' | 'bytes';
  pick(m: Measurement): number | undefined;
  spread?(m: Measurement): readonly [number, number];
}

const metrics: Readonly<Record<ChartMetric, MetricSpec>> = {
  run: {
    name: 'run time',
    explain: 'median of the measured calls, whiskers p10–p90',
    kind: 'time',
    pick: (m) => m.run.median,
    spread: (m) => [m.run.p10, m.run.p90],
  },
  spawn: {
    name: 'spawn time',
    explain: 'process start to variant ready: Node, imports, backend, model build and prepare',
    kind: 'time',
    pick: (m) => m.spawnMs,
  },
  rss: {
    name: 'peak RSS',
    explain: 'peak resident set size of the whole process',
    kind: 'mib',
    pick: (m) => m.peakRssMiB,
  },
  'tensor-peak': {
    name: 'tensor peak',
    explain: 'peak TF.js tensor bytes during one call, above those alive before it',
    kind: 'bytes',
    pick: (m) => m.tensorPeakBytes,
  },
  gpu: {
    name: 'GPU memory',
    explain: 'bytes on the GPU as TF.js reports them (numBytesInGPU)',
    kind: 'bytes',
    pick: (m) => m.gpuBytes,
  },
};

function unitFor(kind: MetricSpec['kind'], max: number): { readonly name: string; readonly divide: number } {
  if (kind === 'time') return max >= 2000 ? { name: 's', divide: 1000 } : durationUnit(Math.min(max, 999));
  if (kind === 'mib') return max >= 4096 ? { name: 'GiB', divide: 1024 } : { name: 'MiB', divide: 1 };
  const unit = byteUnit(max);
  return { name: unit.name, divide: unit.size };
}

const pointLines = (view: ScenarioView, point: Params): readonly string[] =>
  (view.varying.length > 0 ? view.varying : view.constant).map((key) => formatParams(point, [key]));

function context(view: ScenarioView, result: SuiteResult): string {
  const backends = [
    ...new Set(
      result.measurements
        .filter((m) => m.scenario === view.id && m.error === undefined)
        .map((m) => m.backend),
    ),
  ];
  const constants =
    view.varying.length > 0 && view.constant.length > 0
      ? [formatParams(view.points[0] ?? {}, view.constant)]
      : [];
  return [...constants, ...(backends.length > 0 ? [`backend ${backends.join(', ')}`] : [])].join(' · ');
}

/**
 * One scenario's bar chart of a metric as an SVG document: a group of bars per grid point, one colour per
 * variant (the baseline grey), a legend, and a y axis with its unit (log scale when the values span more
 * than 30×).
 *
 * @example
 * writeFileSync('ig-run.svg', barChartSvg(result, 'ig-multi-target', 'run'));
 */
export function barChartSvg(result: SuiteResult, scenario: string, metric: ChartMetric): string {
  const view = scenarioView(result, scenario);
  const spec = metrics[metric];
  const colours = variantColours(view.variants, view.baseline);
  const valueOf = (point: Params, variant: string): number => {
    const m = view.measurement(point, variant);
    return m === undefined || m.error !== undefined ? NaN : (spec.pick(m) ?? NaN);
  };
  const max = Math.max(
    0,
    ...view.points
      .flatMap((point) => view.variants.map((variant) => valueOf(point, variant)))
      .filter(Number.isFinite),
  );
  const unit = unitFor(spec.kind, max);
  const explain = [spec.explain, context(view, result)].filter((part) => part !== '').join(' · ');
  return drawBarChart({
    title: `${view.title}: ${spec.name}`,
    subtitle: explain,
    axis: `${spec.name} (${unit.name})`,
    unit: unit.name,
    groups: view.points.map((point) => pointLines(view, point)),
    series: view.variants.map((variant) => {
      const measured = view.points.map((point) => view.measurement(point, variant));
      const spreads = measured.map((m) =>
        m === undefined || m.error !== undefined ? undefined : spec.spread?.(m),
      );
      return {
        name: variant === view.baseline ? `${variant} (baseline)` : variant,
        colour: colours.get(variant) ?? '#000000',
        values: view.points.map((point) => valueOf(point, variant) / unit.divide),
        ...(spec.spread === undefined
          ? {}
          : {
              low: spreads.map((spread) => (spread?.[0] ?? NaN) / unit.divide),
              high: spreads.map((spread) => (spread?.[1] ?? NaN) / unit.divide),
            }),
      };
    }),
  });
}

/**
 * One scenario's speed-ups over its baseline as an SVG heatmap: rows are grid points, columns the variants
 * other than the baseline, each cell coloured on a red–white–blue scale around 1 (blue: faster than the
 * baseline) with its value printed. Undefined when the scenario has no variant besides the baseline.
 *
 * @example
 * const svg = speedupHeatmapSvg(result, 'ig-multi-target');
 * if (svg !== undefined) writeFileSync('ig-speedup.svg', svg);
 */
export function speedupHeatmapSvg(result: SuiteResult, scenario: string): string | undefined {
  const view = scenarioView(result, scenario);
  const columns = view.variants.filter((variant) => variant !== view.baseline);
  if (columns.length === 0) return undefined;
  const rows = view.points.map((point) => pointLines(view, point).join(', '));
  const extra = context(view, result);
  return drawHeatmap({
    title: `${view.title}: speed-up over ${view.baseline}`,
    subtitle: [
      `${view.baseline}'s median run time ÷ the variant's; above 1 (blue): the variant is faster`,
      ...(extra === '' ? [] : [extra]),
    ],
    rows,
    columns,
    cells: view.points.map((point) =>
      columns.map((variant) => view.comparison(point)?.speedup[variant] ?? NaN),
    ),
    missing: view.points.map((point) =>
      columns.map((variant) =>
        [variant, view.baseline].some((name) => view.measurement(point, name)?.error !== undefined)
          ? 'failed'
          : undefined,
      ),
    ),
    below: `slower than ${view.baseline}`,
    above: `faster than ${view.baseline}`,
  });
}

/** A chart of a report: its file name under `charts/`, what it shows, and how to draw it. */
export interface ChartFile {
  readonly file: string;
  readonly scenario: string;
  readonly alt: string;
  render(): string;
}

/** Every chart of `result`: per scenario the metrics it measured, then its speed-up heatmap if it has one. */
export function chartFiles(result: SuiteResult): readonly ChartFile[] {
  return result.scenarios.flatMap(({ id, title, baseline }) => {
    const measured = result.measurements.filter((m) => m.scenario === id);
    const charted: ChartMetric[] = ['run', 'spawn', 'rss', 'tensor-peak'];
    if (measured.some((m) => m.gpuBytes !== undefined)) charted.push('gpu');
    const files: ChartFile[] = charted.map((metric) => ({
      file: `${id}-${metric}.svg`,
      scenario: id,
      alt: `${title}: ${metrics[metric].name}`,
      render: () => barChartSvg(result, id, metric),
    }));
    if (measured.some((m) => m.variant !== baseline)) {
      files.push({
        file: `${id}-speedup.svg`,
        scenario: id,
        alt: `${title}: speed-up over ${baseline}`,
        render: () => speedupHeatmapSvg(result, id) ?? '',
      });
    }
    return files;
  });
}
