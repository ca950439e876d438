// A signed bar chart as inline SVG, for the report's intervention section: one bar per label, a zero line, the
// value written at each bar's end. adapter-cv draws line plots and heatmaps but no bars, and the few bars the
// demo needs do not justify a renderer in a published package.
/** What {@link barChartSvg} draws. */
export interface BarChartOptions {
  readonly title: string;
  /** The y axis title, with its unit. */
  readonly yLabel: string;
  /** One label per bar, short (a few characters): they are written under the bars. */
  readonly labels: readonly string[];
  readonly values: readonly number[];
  /** Bars to draw in the highlight colour, e.g. the heads of the circuit. Default none. */
  readonly highlight?: ReadonlySet<number>;
  /** How a bar's value is written over it. */
  readonly format: (value: number) => string;
  /** A line under the axis, e.g. what the colours mean. */
  readonly footnote?: string;
}

const width = 820;
const plotHeight = 300;
const margin = { left: 80, right: 20, top: 56, bottom: 70 } as const;
const ink = '#1b1b1b';
const colours = { plain: '#7f9fc4', highlight: '#d62728' } as const;

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${String(char.charCodeAt(0))};`);
}

const round = (value: number): string => String(Math.round(value * 10) / 10);

/** About `count` round tick values (steps of 1, 2 or 5 times a power of ten) that cover [lo, hi]. */
function ticksCovering(lo: number, hi: number, count: number): number[] {
  const rough = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((factor) => factor * power >= rough) ?? 10) * power;
  const ticks: number[] = [];
  for (let tick = Math.floor(lo / step) * step; tick < hi + step / 2; tick += step) {
    ticks.push(Math.abs(tick) < step / 1e6 ? 0 : tick);
  }
  return ticks;
}

/**
 * The chart as a standalone `<svg>` (820 px wide, the report's chart width): y ticks from 0 through the data's
 * range, bars from the zero line up (positive) or down (negative), each labelled with its value.
 */
export function barChartSvg(options: BarChartOptions): string {
  const { labels, values } = options;
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const ticks = ticksCovering(lo, hi === lo ? lo + 1 : hi, 5);
  const top = Math.max(hi, ticks.at(-1) ?? hi);
  const bottom = Math.min(lo, ticks[0] ?? lo);
  const height = margin.top + plotHeight + margin.bottom + (options.footnote === undefined ? 0 : 22);
  const y = (value: number): number => margin.top + ((top - value) / (top - bottom)) * plotHeight;
  const plotWidth = width - margin.left - margin.right;
  const slot = plotWidth / labels.length;
  const barWidth = Math.min(56, slot * 0.7);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}" viewBox="0 0 ${String(width)} ${String(height)}" font-family="system-ui, sans-serif" fill="${ink}">`,
    `<rect width="${String(width)}" height="${String(height)}" fill="#ffffff"/>`,
    `<text x="${String(width / 2)}" y="26" text-anchor="middle" font-size="17" font-weight="600">${escapeXml(options.title)}</text>`,
  ];
  for (const tick of ticks) {
    if (tick < bottom || tick > top) continue;
    const at = round(y(tick));
    parts.push(
      `<line x1="${String(margin.left)}" y1="${at}" x2="${String(width - margin.right)}" y2="${at}" stroke="#e5e5e5"/>`,
      `<text x="${String(margin.left - 8)}" y="${at}" dy="0.35em" text-anchor="end" font-size="13">${escapeXml(String(Number(tick.toPrecision(6))))}</text>`,
    );
  }
  const middle = margin.top + plotHeight / 2;
  parts.push(
    `<text transform="translate(20 ${String(middle)}) rotate(-90)" text-anchor="middle" font-size="14">${escapeXml(options.yLabel)}</text>`,
  );
  values.forEach((value, index) => {
    const centre = margin.left + slot * (index + 0.5);
    const from = y(Math.max(value, 0));
    const to = y(Math.min(value, 0));
    const colour = options.highlight?.has(index) === true ? colours.highlight : colours.plain;
    const label = labels[index] ?? '';
    parts.push(
      `<rect x="${round(centre - barWidth / 2)}" y="${round(from)}" width="${round(barWidth)}" height="${round(Math.max(to - from, 0.5))}" fill="${colour}"><title>${escapeXml(`${label}: ${options.format(value)}`)}</title></rect>`,
      // The value sits beyond the bar's end: above a positive bar, below a negative one.
      `<text x="${round(centre)}" y="${round(value >= 0 ? from - 6 : to + 16)}" text-anchor="middle" font-size="12">${escapeXml(options.format(value))}</text>`,
      `<text x="${round(centre)}" y="${String(margin.top + plotHeight + 22)}" text-anchor="middle" font-size="13">${escapeXml(label)}</text>`,
    );
  });
  const zero = round(y(0));
  parts.push(
    `<line x1="${String(margin.left)}" y1="${zero}" x2="${String(width - margin.right)}" y2="${zero}" stroke="${ink}"/>`,
    `<line x1="${String(margin.left)}" y1="${String(margin.top)}" x2="${String(margin.left)}" y2="${String(margin.top + plotHeight)}" stroke="${ink}"/>`,
  );
  if (options.footnote !== undefined) {
    parts.push(
      `<text x="${String(margin.left)}" y="${String(margin.top + plotHeight + 52)}" font-size="13" fill="#444">${escapeXml(options.footnote)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}
