import { CvError } from '../errors.js';
import { parseColor, type Rgba } from './color.js';
import { formatTick, niceTicks } from './numbers.js';
import { glyphHeight } from './font.js';
import { measureText } from './text.js';

/**
 * One line of a {@link linePlot}: `y[i]` at `x[i]`; a non-finite `y` breaks the line.
 *
 * @example
 * const series: PlotSeries = { label: 'LRP', x: [0, 0.5, 1], y: [0.9, 0.3, 0.1], color: '#d62728' };
 */
export interface PlotSeries {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** Hex colour. Default: the next of matplotlib's tab10 colours. */
  readonly color?: string;
}

/**
 * Options of {@link linePlot} and {@link linePlotSvg}.
 *
 * @example
 * const options: LinePlotOptions = { title: 'Pixel flipping', xLabel: 'fraction flipped', yLabel: 'score' };
 */
export interface LinePlotOptions {
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Default 480. */
  readonly width?: number;
  /** Default 320. */
  readonly height?: number;
  /** Fixed y range instead of one rounded out from the data, e.g. `[0, 1]` for probabilities. */
  readonly yRange?: readonly [number, number];
  /** Text magnification. Default 1 (7-pixel capitals). */
  readonly textScale?: number;
}

const palette = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

export interface PlacedText {
  readonly text: string;
  /** Top-left corner of the (unturned) text box. */
  readonly x: number;
  readonly y: number;
  readonly vertical?: boolean;
}

export interface Tick {
  readonly position: number;
  readonly label: PlacedText;
}

export interface PlacedSeries {
  readonly label: string;
  readonly color: Rgba;
  readonly hex: string;
  /** Polylines in pixel coordinates, split where `y` is not finite. */
  readonly lines: readonly (readonly (readonly [number, number])[])[];
}

/** Everything both renderers draw, in pixels, so the PNG and the SVG show the same plot. */
export interface PlotLayout {
  readonly width: number;
  readonly height: number;
  readonly scale: number;
  readonly lineWidth: number;
  readonly tickLength: number;
  readonly box: {
    readonly left: number;
    readonly top: number;
    readonly right: number;
    readonly bottom: number;
  };
  readonly xTicks: readonly Tick[];
  readonly yTicks: readonly Tick[];
  readonly texts: readonly PlacedText[];
  readonly series: readonly PlacedSeries[];
  readonly legend: {
    readonly left: number;
    readonly top: number;
    readonly width: number;
    readonly height: number;
    readonly entries: readonly {
      readonly series: PlacedSeries;
      readonly y: number;
      readonly text: PlacedText;
    }[];
  };
}

function checkSeries(series: readonly PlotSeries[]): void {
  const fail = (what: string): never => {
    throw new CvError('E_CV_IMAGE', {
      what,
      where: 'linePlot series',
      fix: "Pass [{ label: 'LRP', x: [0, 0.1, …], y: [0.93, 0.61, …] }, …] with x and y of equal, non-zero length.",
    });
  };
  if (!Array.isArray(series) || series.length === 0) fail('There are no series to plot');
  series.forEach((one, index) => {
    if (one.x.length !== one.y.length || one.x.length === 0) {
      fail(
        `Series ${index} (${JSON.stringify(one.label)}) has ${one.x.length} x and ${one.y.length} y values`,
      );
    }
  });
}

function extent(values: readonly number[], fallback: readonly [number, number]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return [...fallback];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  if (lo === hi) return lo === 0 ? [-1, 1] : [lo - Math.abs(lo) / 2, hi + Math.abs(hi) / 2];
  return [lo, hi];
}

/**
 * Where the legend goes: the corner of the plot box (top right first, then top left, bottom right, bottom
 * left) that covers the fewest points of the lines, so that it hides as little of the data as it can.
 */
function legendCorner(
  series: readonly PlacedSeries[],
  box: PlotLayout['box'],
  width: number,
  height: number,
  pad: number,
): { left: number; top: number } {
  const corners = [
    { left: box.right - pad - width, top: box.top + pad },
    { left: box.left + pad, top: box.top + pad },
    { left: box.right - pad - width, top: box.bottom - pad - height },
    { left: box.left + pad, top: box.bottom - pad - height },
  ];
  // Points every 2 pixels along each line segment.
  const points: [number, number][] = [];
  for (const one of series) {
    for (const line of one.lines) {
      line.forEach(([x, y], i) => {
        const [nx, ny] = line[i + 1] ?? [x, y];
        const steps = Math.max(1, Math.ceil(Math.hypot(nx - x, ny - y) / 2));
        for (let k = 0; k < steps; k++) points.push([x + ((nx - x) * k) / steps, y + ((ny - y) * k) / steps]);
      });
    }
  }
  const covered = (corner: { left: number; top: number }): number =>
    points.filter(
      ([x, y]) => x >= corner.left && x <= corner.left + width && y >= corner.top && y <= corner.top + height,
    ).length;
  let best = corners[0] as { left: number; top: number };
  let fewest = covered(best);
  for (const corner of corners.slice(1)) {
    const count = covered(corner);
    if (count < fewest) [best, fewest] = [corner, count];
  }
  return best;
}

/** Computes the layout shared by {@link linePlot} and {@link linePlotSvg}. */
export function plotLayout(series: readonly PlotSeries[], options: LinePlotOptions): PlotLayout {
  checkSeries(series);
  const width = Math.max(120, Math.round(options.width ?? 480));
  const height = Math.max(90, Math.round(options.height ?? 320));
  const s = Math.max(1, Math.round(options.textScale ?? 1));
  const pad = 8 * s;
  const tickLength = 4 * s;
  const line = measureText('X', s).height;

  const [x0, x1] = extent(
    series.flatMap((one) => one.x),
    [0, 1],
  );
  const xTicks = niceTicks(x0, x1, Math.max(2, Math.floor(width / (60 * s))));
  const yData =
    options.yRange ??
    extent(
      series.flatMap((one) => one.y),
      [0, 1],
    );
  const yNice = niceTicks(yData[0], yData[1], Math.max(2, Math.floor(height / (40 * s))));
  // Round the y axis out to whole ticks unless the caller fixed it.
  const [y0, y1] = options.yRange ?? [
    Math.floor(yData[0] / yNice.step - 1e-9) * yNice.step,
    Math.ceil(yData[1] / yNice.step + 1e-9) * yNice.step,
  ];
  const yTicks =
    options.yRange === undefined ? niceTicks(y0, y1, Math.max(2, Math.floor(height / (40 * s)))) : yNice;
  const yLabels = yTicks.ticks.map((v) => formatTick(v, yTicks.step));
  const xLabels = xTicks.ticks.map((v) => formatTick(v, xTicks.step));

  const yLabelWidth = Math.max(...yLabels.map((label) => measureText(label, s).width));
  const lastX = measureText(xLabels[xLabels.length - 1] ?? '', s).width;
  const box = {
    left: pad + (options.yLabel === undefined ? 0 : line + pad) + yLabelWidth + pad / 2 + tickLength,
    top: pad + (options.title === undefined ? 0 : measureText('X', s + 1).height + pad),
    right: width - pad - Math.ceil(lastX / 2),
    bottom: height - pad - (options.xLabel === undefined ? 0 : line + pad / 2) - line - pad / 2 - tickLength,
  };
  const px = (x: number): number => box.left + ((x - x0) / (x1 - x0)) * (box.right - box.left);
  const py = (y: number): number => box.bottom - ((y - y0) / (y1 - y0)) * (box.bottom - box.top);

  const texts: PlacedText[] = [];
  if (options.title !== undefined) {
    const w = measureText(options.title, s + 1).width;
    texts.push({ text: options.title, x: Math.round((width - w) / 2), y: pad });
  }
  if (options.xLabel !== undefined) {
    const w = measureText(options.xLabel, s).width;
    texts.push({
      text: options.xLabel,
      x: Math.round((box.left + box.right - w) / 2),
      y: height - pad - line,
    });
  }
  if (options.yLabel !== undefined) {
    const w = measureText(options.yLabel, s).width;
    texts.push({
      text: options.yLabel,
      x: pad,
      y: Math.round((box.top + box.bottom - w) / 2),
      vertical: true,
    });
  }

  const placed = series.map((one, index): PlacedSeries => {
    const hex = one.color ?? palette[index % palette.length] ?? '#000000';
    const lines: [number, number][][] = [[]];
    one.x.forEach((x, i) => {
      const y = one.y[i] ?? NaN;
      if (Number.isFinite(x) && Number.isFinite(y))
        lines[lines.length - 1]?.push([px(x), py(Math.min(y1, Math.max(y0, y)))]);
      else if ((lines[lines.length - 1]?.length ?? 0) > 0) lines.push([]);
    });
    return { label: one.label, color: parseColor(hex), hex, lines: lines.filter((l) => l.length > 0) };
  });

  const swatch = 16 * s;
  const entryHeight = line + 4 * s;
  const labelWidth = Math.max(...series.map((one) => measureText(one.label, s).width));
  const legendWidth = 3 * (4 * s) + swatch + labelWidth;
  const legendHeight = series.length * entryHeight + 4 * s;
  const { left: legendLeft, top: legendTop } = legendCorner(placed, box, legendWidth, legendHeight, pad);
  return {
    width,
    height,
    scale: s,
    lineWidth: s + 1,
    tickLength,
    box,
    xTicks: xTicks.ticks.map((value, i) => {
      const position = px(value);
      const label = xLabels[i] ?? '';
      return {
        position,
        label: {
          text: label,
          x: Math.round(position - measureText(label, s).width / 2),
          y: box.bottom + tickLength + pad / 2,
        },
      };
    }),
    yTicks: yTicks.ticks.map((value, i) => {
      const position = py(value);
      const label = yLabels[i] ?? '';
      const w = measureText(label, s).width;
      return {
        position,
        label: { text: label, x: box.left - tickLength - pad / 2 - w, y: Math.round(position - line / 2) },
      };
    }),
    texts,
    series: placed,
    legend: {
      left: legendLeft,
      top: legendTop,
      width: legendWidth,
      height: legendHeight,
      entries: placed.map((one, i) => {
        const y = legendTop + 4 * s + i * entryHeight;
        return {
          series: one,
          y: y + Math.floor((glyphHeight * s) / 2),
          text: { text: one.label, x: legendLeft + 8 * s + swatch, y },
        };
      }),
    },
  };
}
