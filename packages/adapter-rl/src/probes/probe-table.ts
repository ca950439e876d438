import type { ProbeRow } from './probe-policy-options.js';

/**
 * Options of {@link formatProbeTable}.
 *
 * @example
 * const options: ProbeTableOptions = { digits: 2 };
 */
export interface ProbeTableOptions {
  /** Digits after the decimal point. Default `3`. */
  readonly digits?: number;
}

/**
 * The probe rows as a markdown table, one line per layer and one column per target; each cell reads
 * `score (control)`, e.g. `0.981 (0.507)`. The header names each target's metric.
 *
 * @example
 * console.log(formatProbeTable(probePolicy(policy, trajectory, { targets })));
 * // | layer       | action accuracy | pole_angle R² |
 * // | ----------- | --------------- | ------------- |
 * // | observation | 0.962 (0.512)   | 1.000 (-0.004) |
 */
export function formatProbeTable(rows: readonly ProbeRow[], options: ProbeTableOptions = {}): string {
  const digits = options.digits ?? 3;
  const layers = [...new Set(rows.map((row) => row.layer))];
  const targets = [...new Map(rows.map((row) => [row.target, row.metric])).entries()];
  const cell = (layer: string, target: string): string => {
    const row = rows.find((candidate) => candidate.layer === layer && candidate.target === target);
    return row === undefined ? '' : `${row.score.toFixed(digits)} (${row.control.toFixed(digits)})`;
  };
  const table = [
    ['layer', ...targets.map(([target, metric]) => `${target} ${metric === 'r2' ? 'R²' : metric}`)],
    ...layers.map((layer) => [layer, ...targets.map(([target]) => cell(layer, target))]),
  ];
  const widths =
    table[0]?.map((_, column) => Math.max(...table.map((line) => (line[column] ?? '').length))) ?? [];
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((text, column) => text.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const [header = [], ...body] = table;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}
