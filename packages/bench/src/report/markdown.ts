// The markdown summary of a suite result: how it was measured, on what, an overview of the ratios, then one
// table per scenario (and its charts), then the footprint when it was measured.
import type { Footprint } from '../footprint/types.js';
import type { SuiteResult } from '../measurement.js';
import { formatFootprintMarkdown } from './footprint-markdown.js';
import { formatBytes, formatDuration, formatMiB, formatParams, formatRatio, formatSpread } from './format.js';
import { markdownTable } from './markdown-table.js';
import { scenarioView, type ScenarioView } from './scenario-view.js';
import { chartFiles } from './svg-charts.js';

/**
 * Options of {@link formatMarkdown}.
 *
 * @example
 * const options: MarkdownOptions = { footprint, charts: 'charts', title: 'Benchmarks' };
 */
export interface MarkdownOptions {
  /** A footprint measurement to add as the last section. */
  readonly footprint?: Footprint;
  /** Where the chart files are, relative to the markdown file; each scenario then shows its charts. */
  readonly charts?: string;
  /** The first heading. Default `tdhook benchmarks`. */
  readonly title?: string;
}

const method =
  'Each variant ran at each grid point in a fresh Node process. **Spawn** is process start to the variant being ready ' +
  '(Node start-up, imports, backend start, model build and prepare); **run** is one call after the warm-up calls, ' +
  'median of the measured calls with the 10th–90th percentiles in brackets; **peak RSS** is the whole process’s maximum ' +
  'resident set; **tensor peak** is the peak of TF.js tensor bytes during one call, above those alive before it. ' +
  '**Speed-up** is the baseline’s median run time over the variant’s (above 1: the variant is faster); the ' +
  '**tensor-peak ratio** is the variant’s tensor peak over the baseline’s (below 1: it needs less).';

function machineLine(result: SuiteResult): string {
  const { machine } = result;
  const backends = [
    ...new Set(result.measurements.filter((m) => m.error === undefined).map((m) => m.backend)),
  ];
  const date = result.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return (
    `**Machine:** ${machine.cpus} · ${String(machine.memoryGiB)} GiB RAM · ${machine.platform} · Node ${machine.node} · ` +
    `TF.js ${machine.tfjs} · backend ${backends.join(', ') || 'none'} · preset \`${result.preset}\` · ${date}`
  );
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length === 0
    ? NaN
    : sorted.length % 2 === 1
      ? (sorted[middle] ?? NaN)
      : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
};

function overview(views: readonly ScenarioView[]): string {
  const rows = views.flatMap((view) =>
    view.variants
      .filter((variant) => variant !== view.baseline)
      .map((variant) => {
        const speedups = view.points
          .map((point) => view.comparison(point)?.speedup[variant] ?? NaN)
          .filter(Number.isFinite);
        const memory = view.points
          .map((point) => view.comparison(point)?.memoryRatio[variant] ?? NaN)
          .filter(Number.isFinite);
        const range =
          speedups.length === 0
            ? '–'
            : `${formatRatio(Math.min(...speedups))} – **${formatRatio(median(speedups))}** – ${formatRatio(Math.max(...speedups))}`;
        return [
          view.title,
          `${variant} vs ${view.baseline}`,
          range,
          formatRatio(median(memory)),
          `${String(speedups.length)} of ${String(view.points.length)}`,
        ];
      }),
  );
  return markdownTable(
    ['scenario', 'variant', 'speed-up: min – **median** – max', 'tensor-peak ratio (median)', 'grid points'],
    rows,
    'llrrr',
  );
}

function scenarioSection(result: SuiteResult, view: ScenarioView, charts: string | undefined): string {
  const measured = result.measurements.filter((m) => m.scenario === view.id);
  const gpu = measured.some((m) => m.gpuBytes !== undefined);
  const keys = view.varying.length > 0 ? view.varying : view.constant;
  const header = [
    ...keys,
    'variant',
    'run: median (p10–p90)',
    'spawn',
    'peak RSS',
    'tensor peak',
    ...(gpu ? ['GPU memory'] : []),
    `speed-up vs ${view.baseline}`,
    `tensor peak vs ${view.baseline}`,
  ];
  const rows = view.points.flatMap((point) =>
    view.variants.map((variant, index) => {
      const params = keys.map((key) => (index === 0 ? String(point[key] ?? '') : ''));
      const m = view.measurement(point, variant);
      const name = variant === view.baseline ? `${variant} (baseline)` : variant;
      if (m === undefined || m.error !== undefined) {
        const why = m?.error === undefined ? 'not measured' : `failed: ${m.error.slice(0, 120)}`;
        return [...params, name, why, '–', '–', '–', ...(gpu ? ['–'] : []), '–', '–'];
      }
      const comparison = view.comparison(point);
      const ratio = (value: number | undefined): string =>
        variant === view.baseline ? '1×' : formatRatio(value ?? NaN);
      return [
        ...params,
        name,
        formatSpread(m.run),
        formatDuration(m.spawnMs),
        formatMiB(m.peakRssMiB),
        formatBytes(m.tensorPeakBytes),
        ...(gpu ? [formatBytes(m.gpuBytes ?? NaN)] : []),
        ratio(comparison?.speedup[variant]),
        ratio(comparison?.memoryRatio[variant]),
      ];
    }),
  );
  const runs = [...new Set(measured.filter((m) => m.error === undefined).map((m) => m.run.runs))];
  const facts = [
    `\`${view.id}\``,
    ...(view.varying.length > 0 && view.constant.length > 0
      ? [`fixed: ${formatParams(view.points[0] ?? {}, view.constant)}`]
      : []),
    `${runs.join(' or ') || '0'} measured calls per process`,
  ];
  // The run times and the speed-ups shown, the other metrics linked: five charts per scenario is a long page.
  const files = charts === undefined ? [] : chartFiles(result).filter((chart) => chart.scenario === view.id);
  const shown = files.filter((chart) => /-(run|speedup)\.svg$/.test(chart.file));
  const linked = files.filter((chart) => !shown.includes(chart));
  const images = [
    ...shown.map((chart) => `![${chart.alt}](${charts ?? ''}/${chart.file})`),
    ...(linked.length > 0
      ? [
          `Charts: ${linked.map((chart) => `[${chart.alt.slice(chart.alt.lastIndexOf(': ') + 2)}](${charts ?? ''}/${chart.file})`).join(' · ')}`,
        ]
      : []),
  ];
  // The variants' notes (what an approximation buys, …), one line each, in table order.
  const notes = view.points.flatMap((point) =>
    view.variants.flatMap((variant) => {
      const note = view.measurement(point, variant)?.note;
      const at = view.varying.length > 0 ? ` at ${formatParams(point, view.varying)}` : '';
      return note === undefined ? [] : [`- \`${variant}\`${at}: ${note}`];
    }),
  );
  return [
    `## ${view.title}`,
    ...(view.description === undefined ? [] : [view.description]),
    facts.join(' · '),
    markdownTable(header, rows, `${'l'.repeat(keys.length)}l${'r'.repeat(header.length - keys.length - 1)}`),
    ...(notes.length > 0 ? [notes.join('\n')] : []),
    ...images,
  ].join('\n\n');
}

/**
 * The markdown summary of a suite result: the method and machine, an overview of each variant's speed-ups,
 * then per scenario a table (parameters, each variant's run time with its spread, spawn time, peak RSS,
 * tensor peak, and the ratios to the baseline) and, with `charts`, its charts; then the footprint if given.
 *
 * @example
 * writeFileSync('summary.md', formatMarkdown(result, { charts: 'charts' }));
 */
export function formatMarkdown(result: SuiteResult, options: MarkdownOptions = {}): string {
  const views = result.scenarios.map(({ id }) => scenarioView(result, id));
  const sections = [
    `# ${options.title ?? 'tdhook benchmarks'}`,
    `Written by \`tdhook-bench\`${result.preset === 'quick' ? ' with `--quick` (small grids, few runs: a smoke test, not a measurement to quote)' : ''}. ${method}`,
    machineLine(result),
    ...(views.length > 0 ? ['## Overview', overview(views)] : []),
    ...views.map((view) => scenarioSection(result, view, options.charts)),
    ...(options.footprint === undefined ? [] : [formatFootprintMarkdown(options.footprint)]),
  ];
  return `${sections.join('\n\n')}\n`;
}
