// A line chart as inline SVG, for the report's weights section: a few series of (x, y) points over shared
// axes, each point marked, a legend. The bar chart of the intervention section draws bars only, and
// adapter-cv's linePlot draws a PNG with bitmap text; the report's charts are SVG so they stay sharp.
/** One line of {@link lineChartSvg}. */
export interface LineSeries {
  readonly label: string;
  readonly colour: string;
  readonly points: readonly (readonly [x: number, y: number])[];
  /** Draw the line dashed (e.g. a reference line). Default solid. */
  readonly dashed?: boolean;
  /** Mark every point with a dot (off for long series such as an episode's steps). Default true. */
  readonly dots?: boolean;
}

/** What {@link lineChartSvg} draws. */
export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  readonly xRange: readonly [number, number];
  readonly yRange: readonly [number, number];
  /** How tick values are written, e.g. as percentages. */
  readonly formatX: (value: number) => string;
  readonly formatY: (value: number) => string;
  /** Tick step on each axis. */
  readonly xStep: number;
  readonly yStep: number;
  /** Vertical markers, e.g. the chosen α. */
  readonly markers?: readonly { readonly x: number; readonly label: string }[];
  /** A line under the axis. */
  readonly footnote?: string;
}

const width = 820;
const plotHeight = 320;
const margin = { left: 80, right: 190, top: 50, bottom: 64 } as const;
const ink = '#1b1b1b';

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${String(char.charCodeAt(0))};`);
}

const round = (value: number): string => String(Math.round(value * 10) / 10);

/** The ticks from `lo` to `hi` in steps of `step` (robust to float steps). */
function ticks(lo: number, hi: number, step: number): number[] {
  const count = Math.round((hi - lo) / step);
  return Array.from({ length: count + 1 }, (_, index) => Number((lo + index * step).toPrecision(10)));
}

/**
 * The chart as a standalone `<svg>` 820 px wide: a grid at the ticks, one polyline per series with a dot at
 * each point (hover shows the values), the legend on the right.
 */
export function lineChartSvg(options: LineChartOptions): string {
  const [x0, x1] = options.xRange;
  const [y0, y1] = options.yRange;
  const plotWidth = width - margin.left - margin.right;
  const height = margin.top + plotHeight + margin.bottom + (options.footnote === undefined ? 0 : 20);
  const x = (value: number): number => margin.left + ((value - x0) / (x1 - x0)) * plotWidth;
  const y = (value: number): number => margin.top + ((y1 - value) / (y1 - y0)) * plotHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}" viewBox="0 0 ${String(width)} ${String(height)}" font-family="system-ui, sans-serif" fill="${ink}">`,
    `<rect width="${String(width)}" height="${String(height)}" fill="#ffffff"/>`,
    `<text x="${String(margin.left + plotWidth / 2)}" y="26" text-anchor="middle" font-size="17" font-weight="600">${escapeXml(options.title)}</text>`,
  ];
  for (const tick of ticks(y0, y1, options.yStep)) {
    const at = round(y(tick));
    parts.push(
      `<line x1="${String(margin.left)}" y1="${at}" x2="${String(margin.left + plotWidth)}" y2="${at}" stroke="#e5e5e5"/>`,
      `<text x="${String(margin.left - 8)}" y="${at}" dy="0.35em" text-anchor="end" font-size="13">${escapeXml(options.formatY(tick))}</text>`,
    );
  }
  for (const tick of ticks(x0, x1, options.xStep)) {
    const at = round(x(tick));
    parts.push(
      `<line x1="${at}" y1="${String(margin.top)}" x2="${at}" y2="${String(margin.top + plotHeight)}" stroke="#f0f0f0"/>`,
      `<text x="${at}" y="${String(margin.top + plotHeight + 20)}" text-anchor="middle" font-size="13">${escapeXml(options.formatX(tick))}</text>`,
    );
  }
  parts.push(
    `<rect x="${String(margin.left)}" y="${String(margin.top)}" width="${String(plotWidth)}" height="${String(plotHeight)}" fill="none" stroke="${ink}"/>`,
    `<text x="${String(margin.left + plotWidth / 2)}" y="${String(margin.top + plotHeight + 44)}" text-anchor="middle" font-size="14">${escapeXml(options.xLabel)}</text>`,
    `<text transform="translate(22 ${String(margin.top + plotHeight / 2)}) rotate(-90)" text-anchor="middle" font-size="14">${escapeXml(options.yLabel)}</text>`,
  );
  for (const marker of options.markers ?? []) {
    const at = round(x(marker.x));
    parts.push(
      `<line x1="${at}" y1="${String(margin.top)}" x2="${at}" y2="${String(margin.top + plotHeight)}" stroke="#888" stroke-dasharray="2 3"/>`,
      `<text x="${at}" y="${String(margin.top - 6)}" text-anchor="middle" font-size="12" fill="#444">${escapeXml(marker.label)}</text>`,
    );
  }
  options.series.forEach((series, index) => {
    const path = series.points.map(([px, py]) => `${round(x(px))},${round(y(py))}`).join(' ');
    const dash = series.dashed === true ? ' stroke-dasharray="6 4"' : '';
    parts.push(
      `<polyline points="${path}" fill="none" stroke="${series.colour}" stroke-width="2.2"${dash}/>`,
    );
    for (const [px, py] of series.dots === false ? [] : series.points) {
      parts.push(
        `<circle cx="${round(x(px))}" cy="${round(y(py))}" r="3.5" fill="${series.colour}"><title>${escapeXml(`${series.label}: ${options.formatX(px)}, ${options.formatY(py)}`)}</title></circle>`,
      );
    }
    const legendY = margin.top + 14 + index * 24;
    const legendX = margin.left + plotWidth + 16;
    parts.push(
      `<line x1="${String(legendX)}" y1="${String(legendY)}" x2="${String(legendX + 24)}" y2="${String(legendY)}" stroke="${series.colour}" stroke-width="2.2"${dash}/>`,
      `<text x="${String(legendX + 30)}" y="${String(legendY)}" dy="0.35em" font-size="13">${escapeXml(series.label)}</text>`,
    );
  });
  if (options.footnote !== undefined) {
    parts.push(
      `<text x="${String(margin.left)}" y="${String(margin.top + plotHeight + 70)}" font-size="13" fill="#444">${escapeXml(options.footnote)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}
