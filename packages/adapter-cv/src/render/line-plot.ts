import { createImage, type RgbaImage } from '../image/rgba-image.js';
import { drawLine, fillRect } from './draw.js';
import { plotLayout, type LinePlotOptions, type PlotSeries } from './plot-layout.js';
import { drawText } from './text.js';

const gridColor = '#e5e5e5';
const ink = '#000000';

/**
 * Draws a line plot as an image: framed axes with numbered ticks and light grid lines, one line per
 * series, a legend in the top-right corner, optional title and axis labels (built-in bitmap font). Made
 * for pixel-flipping curves (x: fraction of pixels flipped, y: model score). {@link linePlotSvg} draws the
 * same plot as SVG.
 *
 * @example
 * const curve = linePlot(
 *   [{ label: 'LRP', x: fractions, y: lrpScores }, { label: 'random', x: fractions, y: randomScores }],
 *   { title: 'Pixel flipping', xLabel: 'fraction flipped', yLabel: 'score' },
 * );
 * await writePng('report/flipping.png', curve);
 */
export function linePlot(series: readonly PlotSeries[], options: LinePlotOptions = {}): RgbaImage {
  const layout = plotLayout(series, options);
  const { box, scale: s, tickLength } = layout;
  const image = createImage(layout.width, layout.height);
  for (const tick of layout.xTicks) {
    drawLine(image, tick.position, box.top, tick.position, box.bottom, gridColor);
    drawLine(image, tick.position, box.bottom, tick.position, box.bottom + tickLength, ink);
    drawText(image, tick.label.text, tick.label.x, tick.label.y, { scale: s });
  }
  for (const tick of layout.yTicks) {
    drawLine(image, box.left, tick.position, box.right, tick.position, gridColor);
    drawLine(image, box.left - tickLength, tick.position, box.left, tick.position, ink);
    drawText(image, tick.label.text, tick.label.x, tick.label.y, { scale: s });
  }
  for (const one of layout.series) {
    for (const line of one.lines) {
      line.forEach(([x, y], i) => {
        const [px, py] = line[Math.max(0, i - 1)] ?? [x, y];
        drawLine(image, px, py, x, y, one.color, layout.lineWidth);
      });
    }
  }
  // The frame goes over the lines so clipped values at the edges stay tidy.
  drawLine(image, box.left, box.top, box.right, box.top, ink);
  drawLine(image, box.left, box.bottom, box.right, box.bottom, ink);
  drawLine(image, box.left, box.top, box.left, box.bottom, ink);
  drawLine(image, box.right, box.top, box.right, box.bottom, ink);
  const { legend } = layout;
  fillRect(image, legend.left, legend.top, legend.width, legend.height, '#ffffffe6');
  for (const entry of legend.entries) {
    drawLine(
      image,
      legend.left + 4 * s,
      entry.y,
      legend.left + 20 * s,
      entry.y,
      entry.series.color,
      layout.lineWidth,
    );
    drawText(image, entry.text.text, entry.text.x, entry.text.y, { scale: s });
  }
  for (const text of layout.texts) {
    const titleScale = text === layout.texts[0] && options.title !== undefined ? s + 1 : s;
    drawText(image, text.text, text.x, text.y, { scale: titleScale, vertical: text.vertical ?? false });
  }
  return image;
}
