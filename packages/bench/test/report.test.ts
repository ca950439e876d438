// The reports from a hand-made suite result: the markdown has the numbers, every SVG is well-formed and
// names its variants, and writeReports writes the files.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { Footprint } from '../src/footprint/types.js';
import { formatFootprintMarkdown } from '../src/report/footprint-markdown.js';
import { formatBytes, formatDuration, formatRatio, formatSpread } from '../src/report/format.js';
import { formatMarkdown } from '../src/report/markdown.js';
import { chooseScale } from '../src/report/scale.js';
import { barChartSvg, chartFiles, speedupHeatmapSvg } from '../src/report/svg-charts.js';
import { writeReports } from '../src/report/write-reports.js';
import { sampleResult } from './report-sample.js';
import { checkXml } from './report-xml.js';

const footprint: Footprint = {
  date: '2025-11-26T18:00:00.000Z',
  node: 'v20.20.2',
  npm: '11.0.0',
  importRuns: 5,
  emptyNodeMs: 41,
  packages: [
    {
      name: '@tdhook/core',
      version: '0.1.0',
      packedBytes: 247_827,
      unpackedBytes: 964_608,
      files: 69,
      installedBytes: 964_608,
      installed: ['@tdhook/core@0.1.0'],
      importMs: 33.2,
    },
  ],
  sets: [],
  references: [
    {
      name: '@tensorflow/tfjs-node',
      version: '4.22.0',
      note: 'libtensorflow NOT counted',
      error: 'npm pack failed (no registry?): ENOTFOUND',
    },
  ],
  notes: ['a note'],
};

describe('number formatting', () => {
  it('gives readable units', () => {
    expect(formatDuration(0.42)).toBe('420 µs');
    expect(formatDuration(12.34)).toBe('12.3 ms');
    expect(formatDuration(1234)).toBe('1.23 s');
    expect(formatDuration(NaN)).toBe('–');
    expect(formatSpread({ median: 12.34, p10: 11.9, p90: 13.04, runs: 3 })).toBe('12.3 ms (11.9–13.0)');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1.5 * 2 ** 20)).toBe('1.50 MiB');
    expect(formatRatio(2.314)).toBe('2.31×');
    expect(formatRatio(Infinity)).toBe('–');
  });

  it('chooses a log axis only when values span orders of magnitude', () => {
    expect(chooseScale([2, 5, 9]).log).toBe(false);
    expect(chooseScale([2, 5, 9]).ticks).toEqual([0, 2, 4, 6, 8, 10]);
    const log = chooseScale([3, 900]);
    expect(log.log).toBe(true);
    expect(log.ticks).toContain(10);
    expect(chooseScale([0, 900]).log).toBe(false); // zero has no place on a log axis
  });
});

describe('formatMarkdown', () => {
  const markdown = formatMarkdown(sampleResult, { charts: 'charts', footprint });

  it('starts with the method and the machine', () => {
    expect(markdown).toMatch(/^# tdhook benchmarks\n/);
    expect(markdown).toContain('**Machine:** 2 × AMD EPYC 7B13 · 24 GiB RAM · linux 6.1.0 · Node v20.20.2');
    expect(markdown).toContain('backend wasm');
    expect(markdown).toContain('`--quick`');
  });

  it('has a table per scenario with each variant, its spread and its ratios', () => {
    expect(markdown).toContain('## Integrated gradients, 10 targets');
    expect(markdown).toContain('fixed: depth 5, targets 10');
    expect(markdown).toContain(
      '| width | batch | variant | run: median (p10–p90) | spawn | peak RSS | tensor peak | speed-up vs plain | tensor peak vs plain |',
    );
    expect(markdown).toContain(
      '| 64 | 8 | plain (baseline) | 5.57 ms (5.18–6.24) | 421 ms | 180 MiB | 283 KiB | 1× | 1× |',
    );
    expect(markdown).toContain('|  |  | tdhook | 3.06 ms (2.85–3.43) | 420 ms |');
    expect(markdown).toContain('| 1.82× | 0.55× |');
    expect(markdown).toContain('| tdhook-per-target |');
    expect(markdown).toContain('failed: out of memory \\| at batch 32');
  });

  it("prints the variants' notes under their scenario's table, with the grid point", () => {
    const lrp = markdown.slice(markdown.indexOf('\n## ', markdown.indexOf('## Integrated gradients') + 1));
    expect(lrp).toMatch(
      /\| tdhook \|[^\n]*\n\n- `tdhook` at batch 8: relevance sums to the logit within 1e-6\n/,
    );
    expect(markdown.match(/^- `/gm)).toHaveLength(1);
  });

  it('has an overview of the speed-ups, the charts and the footprint', () => {
    expect(markdown).toContain(
      '| Integrated gradients, 10 targets | tdhook vs plain | 1.82× – **1.82×** – 1.82× |',
    );
    expect(markdown).toContain(
      '| LRP epsilon-plus | tdhook vs plain | 1.25× – **1.25×** – 1.25× | 0.80× | 2 of 3 |',
    );
    expect(markdown).toContain(
      '![Integrated gradients, 10 targets: run time](charts/ig-multi-target-run.svg)',
    );
    expect(markdown).toContain('![LRP epsilon-plus: speed-up over plain](charts/lrp-speedup.svg)');
    expect(markdown).toContain(
      'Charts: [spawn time](charts/lrp-spawn.svg) · [peak RSS](charts/lrp-rss.svg) · [tensor peak](charts/lrp-tensor-peak.svg)',
    );
    expect(markdown).toContain('## Footprint');
  });
});

describe('formatFootprintMarkdown', () => {
  it('lists the packages, what is counted and what could not be measured', () => {
    const markdown = formatFootprintMarkdown(footprint);
    expect(markdown).toContain(
      '| `@tdhook/core` | 0.1.0 | 242 KiB | 942 KiB (69) | 942 KiB (1 package) | 33.2 ms |',
    );
    expect(markdown).toContain('**Peers are not counted**');
    expect(markdown).toContain('not measured: npm pack failed (no registry?): ENOTFOUND');
    expect(markdown).toContain('libtensorflow NOT counted');
    expect(markdown).toContain('- a note');
  });
});

describe('SVG charts', () => {
  it('are well-formed and name every variant, with titles and units', () => {
    const charts = chartFiles(sampleResult);
    expect(charts.map((chart) => chart.file)).toEqual([
      'ig-multi-target-run.svg',
      'ig-multi-target-spawn.svg',
      'ig-multi-target-rss.svg',
      'ig-multi-target-tensor-peak.svg',
      'ig-multi-target-speedup.svg',
      'lrp-run.svg',
      'lrp-spawn.svg',
      'lrp-rss.svg',
      'lrp-tensor-peak.svg',
      'lrp-speedup.svg',
    ]);
    for (const chart of charts) {
      const svg = chart.render();
      const { problems, elements } = checkXml(svg);
      expect(problems, chart.file).toEqual([]);
      expect(elements.has('svg') && elements.has('title') && elements.has('text')).toBe(true);
      expect(svg).toContain('tdhook');
      expect(svg).toMatch(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+"/);
    }
  });

  it('draws bars per variant with a legend, an axis with its unit, and the failures', () => {
    const run = barChartSvg(sampleResult, 'ig-multi-target', 'run');
    expect(run).toContain('>plain (baseline)</text>');
    expect(run).toContain('>tdhook-per-target</text>');
    expect(run).toContain('run time (ms), log scale');
    expect(run).toContain('>width 1024</text>');
    expect(run.match(/<rect x=/g)?.length).toBe(3 + 18); // legend swatches and bars
    const lrp = barChartSvg(sampleResult, 'lrp', 'tensor-peak');
    expect(lrp).toContain('tensor peak (MiB)');
    expect(lrp).toContain('>failed</text>');
  });

  it('draws a heatmap of the speed-ups with the values in the cells', () => {
    const heatmap = speedupHeatmapSvg(sampleResult, 'ig-multi-target') ?? '';
    expect(heatmap).toContain('>1.82×</text>');
    expect(heatmap).toContain('>0.93×</text>');
    expect(heatmap).toContain('>tdhook-per-target</text>');
    expect(heatmap).not.toContain('>plain</text>'); // the baseline is no column
    expect(heatmap).toContain('>width 256, batch 32</text>');
    expect(speedupHeatmapSvg(sampleResult, 'lrp')).toContain('>failed</text>');
  });
});

describe('writeReports', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('writes results.json, summary.md and the charts', () => {
    dir = mkdtempSync(join(tmpdir(), 'tdhook-report-test-'));
    const out = join(dir, 'out');
    const written = writeReports(sampleResult, out, { footprint });
    expect(written.json).toBe(join(out, 'results.json'));
    const json = JSON.parse(readFileSync(written.json, 'utf8')) as typeof sampleResult & {
      footprint: Footprint;
    };
    expect(json.measurements).toHaveLength(sampleResult.measurements.length);
    expect(json.footprint.packages[0]?.name).toBe('@tdhook/core');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('](charts/lrp-speedup.svg)');
    expect(readdirSync(join(out, 'charts')).sort()).toEqual(
      chartFiles(sampleResult)
        .map((c) => c.file)
        .sort(),
    );
    expect(written.charts).toHaveLength(10);

    // A second run into the same folder replaces the charts of the first.
    writeReports({ ...sampleResult, scenarios: sampleResult.scenarios.slice(1) }, out);
    expect(readdirSync(join(out, 'charts')).every((file) => file.startsWith('lrp-'))).toBe(true);
    expect(existsSync(join(out, 'summary.md'))).toBe(true);
  });
});
