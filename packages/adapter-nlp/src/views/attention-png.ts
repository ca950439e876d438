import type * as Drawing from '@tdhook/adapter-cv/render';

import { TextViewError } from './view-error.js';

/**
 * Attention patterns of one layer, `[head][query][key]` (what `hook_pattern` holds for one sequence:
 * `pattern.arraySync()[0]` of a `[batch, head, query, key]` tensor).
 *
 * @example
 * const pattern: AttentionPattern = [[[1, 0], [0.4, 0.6]]]; // 1 head, 2 tokens
 */
export type AttentionPattern = readonly (readonly (readonly number[])[])[];

/**
 * Options of {@link attentionPatternPng}.
 *
 * @example
 * const options: AttentionPngOptions = { heads: [1, 3], headLabels: ['L1H1', 'L1H3'], title: 'layer 1' };
 */
export interface AttentionPngOptions {
  /** The heads to draw, in order. Default all. */
  readonly heads?: readonly number[];
  /** A caption per drawn head. Default `head <h>`. */
  readonly headLabels?: readonly string[];
  /** A title above the grid. Default none. */
  readonly title?: string;
  /** Heads per grid row. Default up to 4. */
  readonly columns?: number;
  /** Side of one query×key cell in pixels. Default 16. */
  readonly cellPixels?: number;
  /** A sequential colour map. Default `viridis`. */
  readonly colormap?: Drawing.ColormapName;
  /** The values the colour map spans. Default `[0, 1]` (attention weights are probabilities). */
  readonly range?: readonly [lo: number, hi: number];
  /** Longest token label in characters (longer ones end in '…'). Default 12. */
  readonly maxLabelLength?: number;
}

/**
 * A token as a label in the ASCII bitmap font: spaces as '·', newline and tab escaped, long ones cut.
 *
 * @example
 * tokenLabel(' Mary'); // '·Mary'
 * tokenLabel('antidisestablishment', 8); // 'antidis…'
 */
export function tokenLabel(token: string, maxLength = 12): string {
  const shown = token.replaceAll(' ', '·').replaceAll('\n', '\\n').replaceAll('\t', '\\t');
  const chars = Array.from(shown);
  return chars.length <= maxLength ? shown : `${chars.slice(0, Math.max(1, maxLength - 1)).join('')}…`;
}

async function loadDrawing(): Promise<typeof Drawing> {
  try {
    return await import('@tdhook/adapter-cv/render');
  } catch (cause) {
    throw new TextViewError({
      what: 'Drawing attention heatmaps needs @tdhook/adapter-cv, which could not be loaded',
      where: 'attentionPatternPng',
      fix: 'Install it next to @tdhook/adapter-nlp (npm install @tdhook/adapter-cv).',
      cause,
    });
  }
}

function checkPattern(pattern: AttentionPattern, tokens: readonly string[], heads: readonly number[]): void {
  const fail = (what: string, fix: string): never => {
    throw new TextViewError({ what, where: 'attentionPatternPng', fix });
  };
  const n = tokens.length;
  if (n === 0) fail('No tokens', 'Pass the tokens of the sequence the pattern belongs to.');
  if (!Array.isArray(pattern) || pattern.length === 0)
    fail('The pattern has no heads', 'Pass [head][query][key] numbers, e.g. hook_pattern.arraySync()[0].');
  pattern.forEach((head, h) => {
    if (
      !Array.isArray(head) ||
      head.length !== n ||
      head.some((row) => !Array.isArray(row) || row.length !== n)
    ) {
      fail(
        `Head ${h} of the pattern is not ${n}×${n} (one row and one column per token)`,
        'Pass [head][query][key] of one sequence (drop the batch axis) with its tokens.',
      );
    }
    if (head.some((row) => row.some((v) => typeof v !== 'number' || !Number.isFinite(v))))
      fail(
        `Head ${h} of the pattern has a value that is not a finite number`,
        'Pass the softmax output (hook_pattern), not the masked scores.',
      );
  });
  heads.forEach((h) => {
    if (!Number.isInteger(h) || h < 0 || h >= pattern.length)
      fail(
        `Head ${h} does not exist; the pattern has ${pattern.length} heads`,
        `Pick heads in 0..${pattern.length - 1}.`,
      );
  });
}

/** One head: the matrix with query labels on the left and key labels (reading upwards) underneath. */
function headImage(
  draw: typeof Drawing,
  matrix: readonly (readonly number[])[],
  labels: readonly string[],
  cell: number,
  colormap: Drawing.ColormapName,
  [lo, hi]: readonly [number, number],
): Drawing.RgbaImage {
  const labelSize = Math.max(...labels.map((label) => draw.measureText(label).width));
  const left = labelSize + 6;
  const size = labels.length * cell;
  const image = draw.createImage(left + size + 2, size + labelSize + 8);
  matrix.forEach((row, q) => {
    row.forEach((value, k) => {
      const t = hi > lo ? (value - lo) / (hi - lo) : 0;
      draw.fillRect(image, left + k * cell, q * cell, cell, cell, draw.colormapColor(colormap, t));
    });
  });
  const glyph = draw.measureText('M').height;
  labels.forEach((label, i) => {
    const width = draw.measureText(label).width;
    const middle = i * cell + Math.round((cell - glyph) / 2);
    draw.drawText(image, label, left - 4 - width, middle, { color: '#222' });
    draw.drawText(image, label, left + middle, size + 4 + labelSize - width, {
      color: '#222',
      vertical: true,
    });
  });
  return image;
}

/**
 * Attention patterns as a PNG: one heatmap per head (rows = query positions, columns = key positions,
 * each axis labelled with the tokens), several heads as a grid with captions, and a colour bar. Token
 * labels use a built-in ASCII bitmap font (spaces show as '·'; other characters as '?'). Drawing uses
 * `@tdhook/adapter-cv/render`, loaded on first use, so text-only users need not install it.
 *
 * @example
 * const { cache } = model.runWithCache(ids, { names: ['blocks.0.attn.hook_pattern'] });
 * const pattern = (cache.get('blocks.0.attn.hook_pattern').arraySync() as number[][][][])[0]!;
 * const png = await attentionPatternPng(pattern, [' When', ' Mary', ' and'], { title: 'layer 0' });
 * // await writeFile('layer0.png', png);
 */
export async function attentionPatternPng(
  pattern: AttentionPattern,
  tokens: readonly string[],
  options: AttentionPngOptions = {},
): Promise<Uint8Array> {
  const heads = options.heads ?? pattern.map((_, h) => h);
  checkPattern(pattern, tokens, heads);
  if (options.headLabels !== undefined && options.headLabels.length !== heads.length) {
    throw new TextViewError({
      what: `${heads.length} heads but ${options.headLabels.length} head labels`,
      where: 'attentionPatternPng options.headLabels',
      fix: 'Give one label per drawn head.',
    });
  }
  const range = options.range ?? [0, 1];
  if (!(range[1] > range[0])) {
    throw new TextViewError({
      what: `The range [${range[0]}, ${range[1]}] is empty`,
      where: 'attentionPatternPng options.range',
      fix: 'Give [lo, hi] with lo < hi, e.g. [0, 1].',
    });
  }
  const draw = await loadDrawing();
  const colormap = options.colormap ?? 'viridis';
  const cell = Math.max(4, Math.round(options.cellPixels ?? 16));
  const labels = tokens.map((token) => tokenLabel(token, options.maxLabelLength ?? 12));
  const cells = heads.map((h, i) => ({
    image: headImage(draw, pattern[h] ?? [], labels, cell, colormap, range),
    label: options.headLabels?.[i] ?? `head ${h}`,
  }));
  const columns = Math.max(1, Math.round(options.columns ?? Math.min(4, heads.length)));
  const rows: (typeof cells)[] = [];
  for (let i = 0; i < cells.length; i += columns) rows.push(cells.slice(i, i + columns));
  const grid = draw.imageGrid(rows, {
    gap: 10,
    ...(options.title === undefined ? {} : { title: options.title }),
    legend: { colormap, range },
    footer: 'rows: query position, columns: key position',
  });
  return draw.encodePng(grid);
}
