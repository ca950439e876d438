// Writes a suite result's reports into a folder: the JSON, the markdown summary and the charts.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

import type { Footprint } from '../footprint/types.js';
import type { SuiteResult } from '../measurement.js';
import { formatMarkdown } from './markdown.js';
import { chartFiles } from './svg-charts.js';

/**
 * Options of {@link writeReports}.
 *
 * @example
 * const options: ReportOptions = { footprint: await measureFootprint() };
 */
export interface ReportOptions {
  /** Added to results.json (as `footprint`) and to summary.md. */
  readonly footprint?: Footprint;
  /** The summary's first heading. */
  readonly title?: string;
}

/**
 * The files {@link writeReports} wrote.
 *
 * @example
 * const { summary }: WrittenReports = writeReports(result, 'bench-results');
 */
export interface WrittenReports {
  readonly json: string;
  readonly summary: string;
  readonly charts: readonly string[];
}

/**
 * Writes `<dir>/results.json` (the result, and the footprint if given; unmeasured numbers are `null`),
 * `<dir>/summary.md` (see {@link formatMarkdown}) and `<dir>/charts/<scenario>-<metric>.svg` and
 * `<dir>/charts/<scenario>-speedup.svg` (see {@link barChartSvg}, {@link speedupHeatmapSvg}). Charts of an
 * earlier run in the same folder are removed first.
 *
 * @example
 * const result = await runSuite({ suite: new URL('./suite.js', import.meta.url), preset: 'quick' });
 * writeReports(result, 'bench-results'); // bench-results/summary.md, results.json, charts/*.svg
 */
export function writeReports(result: SuiteResult, dir: string, options: ReportOptions = {}): WrittenReports {
  const chartsDir = join(dir, 'charts');
  mkdirSync(chartsDir, { recursive: true });
  for (const file of readdirSync(chartsDir)) {
    if (file.endsWith('.svg')) rmSync(join(chartsDir, file));
  }
  const json = join(dir, 'results.json');
  const report = options.footprint === undefined ? result : { ...result, footprint: options.footprint };
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  const summary = join(dir, 'summary.md');
  writeFileSync(
    summary,
    formatMarkdown(result, {
      charts: 'charts',
      ...(options.footprint === undefined ? {} : { footprint: options.footprint }),
      ...(options.title === undefined ? {} : { title: options.title }),
    }),
  );
  const charts = chartFiles(result).map((chart) => {
    const path = join(chartsDir, chart.file);
    writeFileSync(path, chart.render());
    return path;
  });
  return { json, summary, charts };
}

/**
 * Writes the summary as a standalone markdown page (docs/benchmarks.md, say) with its charts in a folder of
 * the same name beside it (docs/benchmarks/), replacing the charts an earlier run left there.
 */
export function writeMarkdownPage(
  result: SuiteResult,
  file: string,
  options: ReportOptions = {},
): { readonly markdown: string; readonly charts: string } {
  const folder = basename(file, extname(file));
  const chartsDir = join(dirname(file), folder);
  mkdirSync(chartsDir, { recursive: true });
  for (const old of readdirSync(chartsDir)) {
    if (old.endsWith('.svg')) rmSync(join(chartsDir, old));
  }
  for (const chart of chartFiles(result)) writeFileSync(join(chartsDir, chart.file), chart.render());
  writeFileSync(
    file,
    formatMarkdown(result, {
      charts: folder,
      ...(options.footprint === undefined ? {} : { footprint: options.footprint }),
      ...(options.title === undefined ? {} : { title: options.title }),
    }),
  );
  return { markdown: file, charts: chartsDir };
}
