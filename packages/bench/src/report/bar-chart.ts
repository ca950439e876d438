// A grouped bar chart drawn by hand: one group per grid point, one bar per variant, optional whiskers, a
// legend, a titled y axis. Sizes grow with the labels so that no text overlaps.
import { formatPlain, formatTick } from './format.js';
import { chooseScale } from './scale.js';
import { element, escapeXml, num, svgDocument, text, textWidth } from './svg.js';

export interface BarSeries {
  readonly name: string;
  readonly colour: string;
  /** One value per group, in the chart's unit; NaN where the variant failed. */
  readonly values: readonly number[];
  /** Whiskers (p10 and p90, say), one per group. */
  readonly low?: readonly number[];
  readonly high?: readonly number[];
}

export interface BarChart {
  readonly title: string;
  readonly subtitle: string;
  /** The y axis title, unit included: `run time (ms)`. */
  readonly axis: string;
  /** The unit printed in tooltips: `ms`. */
  readonly unit: string;
  /** Each group's label, one line per parameter. */
  readonly groups: readonly (readonly string[])[];
  readonly series: readonly BarSeries[];
}

const pad = 16;
const size = { title: 16, subtitle: 12, tick: 11, label: 11, legend: 12, value: 9 } as const;
const plotHeight = 260;
const lineHeight = 14;
const ink = '#1a1a1a';
const muted = '#555555';

interface LegendItem {
  readonly x: number;
  readonly row: number;
  readonly name: string;
  readonly colour: string;
}

function layoutLegend(series: readonly BarSeries[], width: number): readonly LegendItem[] {
  const items: LegendItem[] = [];
  let x = 0;
  let row = 0;
  for (const { name, colour } of series) {
    const itemWidth = 12 + 6 + textWidth(name, size.legend) + 18;
    if (x > 0 && x + itemWidth > width) {
      x = 0;
      row++;
    }
    items.push({ x, row, name, colour });
    x += itemWidth;
  }
  return items;
}

/** Groups per panel: wider charts shrink to unreadable text once a page scales them to its width. */
const maxGroupsPerPanel = 12;

/** Splits `count` groups into panels of at most `maxGroupsPerPanel`, as even as possible. */
function panelsOf(count: number): readonly (readonly number[])[] {
  const panels = Math.max(1, Math.ceil(count / maxGroupsPerPanel));
  const perPanel = Math.ceil(count / panels);
  return Array.from({ length: panels }, (_, panel) =>
    Array.from(
      { length: Math.min(perPanel, count - panel * perPanel) },
      (_, index) => panel * perPanel + index,
    ),
  ).filter((groups) => groups.length > 0);
}

/** The chart as an SVG document; more than 12 groups are drawn as several panels with the same axis. */
export function drawBarChart(chart: BarChart): string {
  const all = chart.series.flatMap((s) => [...s.values, ...(s.high ?? [])]);
  const scale = chooseScale(all);
  const tickLabels = scale.ticks.map((tick) => formatTick(tick));
  const tickWidth = Math.max(...tickLabels.map((label) => textWidth(label, size.tick)));
  const axisTitle = scale.log ? `${chart.axis}, log scale` : chart.axis;
  const left = pad + size.label + 10 + tickWidth + 8;

  const panels = panelsOf(chart.groups.length);
  const bars = Math.max(1, chart.series.length);
  const labelWidth = Math.max(0, ...chart.groups.flat().map((line) => textWidth(line, size.label)));
  const groupMin = Math.max(bars * 26 + 20, labelWidth + 14);
  const headerWidth = Math.max(
    textWidth(chart.title, size.title, true),
    textWidth(chart.subtitle, size.subtitle),
    textWidth(axisTitle, size.label) - plotHeight + 40,
  );
  const perPanel = Math.max(1, ...panels.map((groups) => groups.length));
  const plotWidth = Math.max(perPanel * groupMin, 420, headerWidth + 2 * pad - left - pad);
  const width = left + plotWidth + pad;
  const legend = layoutLegend(chart.series, width - 2 * pad);
  const legendRows = Math.max(0, ...legend.map((item) => item.row)) + 1;

  const legendTop = pad + size.title + 8 + size.subtitle + 12;
  const firstTop = legendTop + legendRows * 20 + 18;
  const labelLines = Math.max(1, ...chart.groups.map((lines) => lines.length));
  const panelHeight = plotHeight + 10 + labelLines * lineHeight + 24;
  const height = firstTop + panels.length * panelHeight - 24 + pad;

  const parts: string[] = [
    text(pad, pad + size.title, chart.title, { 'font-size': size.title, 'font-weight': 'bold', fill: ink }),
    text(pad, pad + size.title + 8 + size.subtitle, chart.subtitle, {
      'font-size': size.subtitle,
      fill: muted,
    }),
  ];
  for (const item of legend) {
    const top = legendTop + item.row * 20;
    parts.push(
      element('rect', { x: pad + item.x, y: top, width: 12, height: 12, fill: item.colour, rx: 2 }),
      text(pad + item.x + 18, top + 10.5, item.name, { 'font-size': size.legend, fill: ink }),
    );
  }

  const groupWidth = plotWidth / perPanel;
  const barWidth = Math.min(44, (groupWidth - 20) / bars);
  // Values on the bars only when every one fits its bar: some labelled and some not reads as missing data.
  const labelled = chart.series.every((series) =>
    series.values.every(
      (value) => !Number.isFinite(value) || textWidth(formatPlain(value), size.value) <= barWidth - 2,
    ),
  );
  panels.forEach((groups, panel) => {
    const plotTop = firstTop + panel * panelHeight;
    const plotBottom = plotTop + plotHeight;
    const y = (value: number): number =>
      plotBottom - plotHeight * Math.min(1, Math.max(0, scale.position(value)));
    // Grid lines, y ticks and the axis title.
    scale.ticks.forEach((tick, index) => {
      parts.push(
        element('line', { x1: left, x2: left + plotWidth, y1: y(tick), y2: y(tick), stroke: '#e6e6e6' }),
        text(left - 6, y(tick) + size.tick * 0.35, tickLabels[index] ?? '', {
          'font-size': size.tick,
          'text-anchor': 'end',
          fill: muted,
        }),
      );
    });
    const middle = (plotTop + plotBottom) / 2;
    const axisX = pad + size.label;
    parts.push(
      text(axisX, middle, axisTitle, {
        'font-size': size.label,
        'text-anchor': 'middle',
        transform: `rotate(-90 ${num(axisX)} ${num(middle)})`,
        fill: ink,
      }),
    );
    groups.forEach((group, slot) => {
      const lines = chart.groups[group] ?? [];
      const groupLeft = left + slot * groupWidth;
      const first = groupLeft + (groupWidth - bars * barWidth) / 2;
      chart.series.forEach((series, index) => {
        const value = series.values[group] ?? NaN;
        const x = first + index * barWidth;
        const centre = x + barWidth / 2;
        if (!Number.isFinite(value)) {
          parts.push(
            text(centre + 4, plotBottom - 4, 'failed', {
              'font-size': 11,
              fill: '#b00020',
              transform: `rotate(-90 ${num(centre + 4)} ${num(plotBottom - 4)})`,
            }),
          );
          return;
        }
        const tooltip = `${series.name}, ${lines.join(', ')}: ${formatPlain(value)} ${chart.unit}`;
        parts.push(
          element(
            'rect',
            {
              x: x + 1,
              y: y(value),
              width: barWidth - 2,
              height: plotBottom - y(value),
              fill: series.colour,
            },
            element('title', {}, escapeXml(tooltip)),
          ),
        );
        let labelY = y(value);
        const low = series.low?.[group];
        const high = series.high?.[group];
        if (low !== undefined && high !== undefined && Number.isFinite(low) && Number.isFinite(high)) {
          const cap = Math.max(3, barWidth * 0.2);
          parts.push(
            element('path', {
              d: `M${num(centre)} ${num(y(low))}V${num(y(high))}M${num(centre - cap)} ${num(y(high))}h${num(2 * cap)}M${num(centre - cap)} ${num(y(low))}h${num(2 * cap)}`,
              stroke: '#333333',
              'stroke-width': 1.2,
              fill: 'none',
            }),
          );
          labelY = Math.min(labelY, y(high));
        }
        if (labelled) {
          parts.push(
            text(centre, labelY - 4, formatPlain(value), {
              'font-size': size.value,
              'text-anchor': 'middle',
              fill: ink,
            }),
          );
        }
      });
      lines.forEach((line, index) => {
        parts.push(
          text(groupLeft + groupWidth / 2, plotBottom + 8 + (index + 1) * lineHeight - 3, line, {
            'font-size': size.label,
            'text-anchor': 'middle',
            fill: ink,
          }),
        );
      });
    });
    parts.push(
      element('path', {
        d: `M${num(left)} ${num(plotTop - 6)}V${num(plotBottom)}H${num(left + groups.length * groupWidth)}`,
        stroke: '#888888',
        fill: 'none',
      }),
    );
  });
  return svgDocument(width, height, chart.title, ...parts);
}
