// A ratio heatmap drawn by hand: one row per grid point, one column per compared variant, each cell coloured
// on a diverging scale around 1 and labelled with its value; a colour key below.
import { inkOn, ratioColour, ratioLimit, ratioPosition } from './colours.js';
import { formatRatio } from './format.js';
import { element, escapeXml, svgDocument, text, textWidth } from './svg.js';

export interface Heatmap {
  readonly title: string;
  /** One or more lines under the title. */
  readonly subtitle: readonly string[];
  readonly rows: readonly string[];
  readonly columns: readonly string[];
  /** `cells[row][column]`: NaN where it could not be computed. */
  readonly cells: readonly (readonly number[])[];
  /** What a NaN cell says (`failed`, say); `n/a` by default. */
  readonly missing?: readonly (readonly (string | undefined)[])[];
  /** The key's captions: what a ratio below and above 1 means. */
  readonly below: string;
  readonly above: string;
}

const pad = 16;
const size = { title: 16, subtitle: 12, label: 12, cell: 13, key: 11 } as const;
const cellHeight = 30;
const ink = '#1a1a1a';
const muted = '#555555';
const keyTicks = [1 / 4, 1 / 2, 1, 2, 4];

/** The heatmap as an SVG document. */
export function drawHeatmap(map: Heatmap): string {
  const rowLabelWidth = Math.max(0, ...map.rows.map((row) => textWidth(row, size.label)));
  const cellWidth = Math.max(96, ...map.columns.map((column) => textWidth(column, size.label, true) + 20));
  const left = pad + rowLabelWidth + 12;
  const gridWidth = cellWidth * map.columns.length;
  const keyWidth = Math.max(
    260,
    textWidth(map.below, size.key) + textWidth(map.above, size.key) + 40,
    Math.min(gridWidth, 360),
  );
  const width =
    Math.max(
      left + gridWidth,
      left + keyWidth,
      pad +
        Math.max(
          ...[map.title, ...map.subtitle].map((line, index) =>
            index === 0 ? textWidth(line, size.title, true) : textWidth(line, size.subtitle),
          ),
        ),
    ) + pad;

  const parts: string[] = [
    text(pad, pad + size.title, map.title, { 'font-size': size.title, 'font-weight': 'bold', fill: ink }),
  ];
  let y = pad + size.title;
  for (const line of map.subtitle) {
    y += 8 + size.subtitle;
    parts.push(text(pad, y, line, { 'font-size': size.subtitle, fill: muted }));
  }
  const headerY = y + 16 + size.label;
  const gridTop = headerY + 8;
  map.columns.forEach((column, index) => {
    parts.push(
      text(left + (index + 0.5) * cellWidth, headerY, column, {
        'font-size': size.label,
        'font-weight': 'bold',
        'text-anchor': 'middle',
        fill: ink,
      }),
    );
  });
  map.rows.forEach((row, rowIndex) => {
    const top = gridTop + rowIndex * cellHeight;
    parts.push(
      text(left - 12, top + cellHeight / 2 + size.label * 0.35, row, {
        'font-size': size.label,
        'text-anchor': 'end',
        fill: ink,
      }),
    );
    map.columns.forEach((column, columnIndex) => {
      const ratio = map.cells[rowIndex]?.[columnIndex] ?? NaN;
      const fill = ratioColour(ratio);
      const label = Number.isFinite(ratio)
        ? formatRatio(ratio)
        : (map.missing?.[rowIndex]?.[columnIndex] ?? 'n/a');
      const x = left + columnIndex * cellWidth;
      parts.push(
        element(
          'rect',
          { x, y: top, width: cellWidth, height: cellHeight, fill, stroke: '#ffffff', 'stroke-width': 2 },
          element('title', {}, escapeXml(`${column}, ${row}: ${label}`)),
        ),
        text(x + cellWidth / 2, top + cellHeight / 2 + size.cell * 0.35, label, {
          'font-size': size.cell,
          'text-anchor': 'middle',
          fill: inkOn(fill),
        }),
      );
    });
  });

  // The colour key: the gradient with its ticks, what each side means under it.
  const keyTop = gridTop + map.rows.length * cellHeight + 22;
  const keyAt = (ratio: number): number => left + ((ratioPosition(ratio) + 1) / 2) * keyWidth;
  const stops = Array.from({ length: 9 }, (_, index) => {
    const ratio = ratioLimit ** ((index - 4) / 4);
    return element('stop', { offset: `${String(index * 12.5)}%`, 'stop-color': ratioColour(ratio) });
  });
  parts.push(
    element('defs', {}, element('linearGradient', { id: 'ratio-key' }, ...stops)),
    element('rect', {
      x: left,
      y: keyTop,
      width: keyWidth,
      height: 10,
      fill: 'url(#ratio-key)',
      stroke: '#bbbbbb',
    }),
  );
  for (const tick of keyTicks) {
    parts.push(
      element('line', { x1: keyAt(tick), x2: keyAt(tick), y1: keyTop + 10, y2: keyTop + 14, stroke: muted }),
      text(keyAt(tick), keyTop + 15 + size.key, `${String(tick)}×`, {
        'font-size': size.key,
        'text-anchor': 'middle',
        fill: muted,
      }),
    );
  }
  const captionY = keyTop + 15 + 2 * size.key + 6;
  parts.push(
    text(left, captionY, map.below, { 'font-size': size.key, fill: muted }),
    text(left + keyWidth, captionY, map.above, { 'font-size': size.key, 'text-anchor': 'end', fill: muted }),
  );
  return svgDocument(width, captionY + pad, map.title, ...parts);
}
