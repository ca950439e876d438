import { glyphHeight } from './font.js';
import { measureText } from './text.js';
import { plotLayout, type LinePlotOptions, type PlacedText, type PlotSeries } from './plot-layout.js';

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const round = (value: number): number => Math.round(value * 10) / 10;

/** An SVG `<text>` at the same box as the bitmap font's: a monospace face whose capitals are as tall. */
function svgText(placed: PlacedText, scale: number, anchorWidth: number): string {
  const size = 10 * scale;
  const capital = glyphHeight * scale;
  if (placed.vertical === true) {
    const cx = placed.x + capital;
    const cy = placed.y + anchorWidth / 2;
    return `<text transform="translate(${round(cx)} ${round(cy)}) rotate(-90)" text-anchor="middle" font-size="${size}">${escapeXml(placed.text)}</text>`;
  }
  return `<text x="${round(placed.x + anchorWidth / 2)}" y="${round(placed.y + capital)}" text-anchor="middle" font-size="${size}">${escapeXml(placed.text)}</text>`;
}

/**
 * The plot of {@link linePlot} as a standalone SVG document (a string), for HTML reports to inline: same
 * layout, ticks, colours and legend, with crisp vector lines and selectable text.
 *
 * @example
 * const svg = linePlotSvg([{ label: 'LRP', x: [0, 0.5, 1], y: [0.9, 0.4, 0.1] }], { title: 'Pixel flipping' });
 * html += `<figure>${svg}</figure>`;
 */
export function linePlotSvg(series: readonly PlotSeries[], options: LinePlotOptions = {}): string {
  const layout = plotLayout(series, options);
  const { box, scale: s, tickLength, width, height } = layout;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-monospace, Menlo, Consolas, monospace">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  const text = (placed: PlacedText, scale = s): string =>
    svgText(placed, scale, measureText(placed.text, scale).width);
  for (const tick of layout.xTicks) {
    const x = round(tick.position);
    parts.push(`<line x1="${x}" y1="${box.top}" x2="${x}" y2="${box.bottom}" stroke="#e5e5e5"/>`);
    parts.push(
      `<line x1="${x}" y1="${box.bottom}" x2="${x}" y2="${box.bottom + tickLength}" stroke="#000"/>`,
    );
    parts.push(text(tick.label));
  }
  for (const tick of layout.yTicks) {
    const y = round(tick.position);
    parts.push(`<line x1="${box.left}" y1="${y}" x2="${box.right}" y2="${y}" stroke="#e5e5e5"/>`);
    parts.push(`<line x1="${box.left - tickLength}" y1="${y}" x2="${box.left}" y2="${y}" stroke="#000"/>`);
    parts.push(text(tick.label));
  }
  for (const one of layout.series) {
    for (const line of one.lines) {
      const points = line.map(([x, y]) => `${round(x)},${round(y)}`).join(' ');
      parts.push(
        `<polyline fill="none" stroke="${escapeXml(one.hex)}" stroke-width="${layout.lineWidth}" stroke-linejoin="round" points="${points}"><title>${escapeXml(one.label)}</title></polyline>`,
      );
    }
  }
  parts.push(
    `<rect x="${box.left}" y="${box.top}" width="${box.right - box.left}" height="${box.bottom - box.top}" fill="none" stroke="#000"/>`,
  );
  const { legend } = layout;
  parts.push(
    `<rect x="${legend.left}" y="${legend.top}" width="${legend.width}" height="${legend.height}" fill="#ffffff" fill-opacity="0.9"/>`,
  );
  for (const entry of legend.entries) {
    parts.push(
      `<line x1="${legend.left + 4 * s}" y1="${entry.y}" x2="${legend.left + 20 * s}" y2="${entry.y}" stroke="${escapeXml(entry.series.hex)}" stroke-width="${layout.lineWidth}"/>`,
    );
    const capital = glyphHeight * s;
    parts.push(
      `<text x="${entry.text.x}" y="${entry.text.y + capital}" font-size="${10 * s}">${escapeXml(entry.text.text)}</text>`,
    );
  }
  layout.texts.forEach((placed, i) => {
    parts.push(text(placed, i === 0 && options.title !== undefined ? s + 1 : s));
  });
  parts.push('</svg>');
  return parts.join('\n');
}
