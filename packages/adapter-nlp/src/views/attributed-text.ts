import { TextViewError } from './view-error.js';

/**
 * One row of a text view: tokens and one attribution score per token, optionally placed in the text they
 * came from. Plain data, so any tokenizer works: with `text` and `offsets` (a tokenizer's `[start, end)`
 * character offsets per token, e.g. `encodeWithOffsets`) the view shows the original characters, also the
 * ones between tokens, uncoloured; without them it shows the token strings one after another.
 *
 * @example
 * const row: AttributedText = {
 *   label: 'integrated gradients → " Mary"',
 *   tokens: ['When', ' Mary', ' and', ' John'],
 *   scores: [0.01, 0.62, -0.05, -0.31],
 * };
 * const placed: AttributedText = {
 *   tokens: ['When', 'ĠMary'],
 *   scores: [0.1, 0.7],
 *   text: 'When Mary',
 *   offsets: [[0, 4], [4, 9]],
 * };
 */
export interface AttributedText {
  /** The tokens as strings (shown when `text`/`offsets` are not given). */
  readonly tokens: readonly string[];
  /** One finite score per token; positive pushes towards the target, negative away from it. */
  readonly scores: readonly number[];
  /** A caption for the row, e.g. the method and the target. */
  readonly label?: string;
  /** The text the tokens were cut from (needs `offsets`). */
  readonly text?: string;
  /** `[start, end)` character offsets of each token in `text`, ascending and not overlapping. */
  readonly offsets?: readonly (readonly [number, number])[];
}

/** A run of characters of a row, with the score of the token it belongs to (none between tokens). */
export interface TextSegment {
  readonly text: string;
  readonly score?: number;
  /** The token index, for segments that are a token. */
  readonly token?: number;
}

/** Throws unless `row` is well formed (see {@link AttributedText}); `where` names it in the message. */
function checkAttributedText(row: AttributedText, where: string): void {
  const fail = (what: string, fix: string): never => {
    throw new TextViewError({ what, where, fix });
  };
  if (!Array.isArray(row.tokens) || !Array.isArray(row.scores))
    fail('A row needs `tokens` and `scores` arrays', 'Pass { tokens: string[], scores: number[] }.');
  if (row.tokens.length !== row.scores.length) {
    fail(
      `${row.tokens.length} tokens but ${row.scores.length} scores`,
      'Give one score per token (sum the attribution over d_model first).',
    );
  }
  const bad = row.scores.findIndex((s) => typeof s !== 'number' || !Number.isFinite(s));
  if (bad >= 0)
    fail(`Score ${bad} is ${String(row.scores[bad])}, not a finite number`, 'Check the attribution.');
  if ((row.text === undefined) !== (row.offsets === undefined))
    fail('`text` and `offsets` come together', 'Pass both (offsets from the tokenizer) or neither.');
  const text = row.text;
  if (text === undefined || row.offsets === undefined) return;
  if (row.offsets.length !== row.tokens.length)
    fail(`${row.tokens.length} tokens but ${row.offsets.length} offsets`, 'Give one [start, end) per token.');
  let previousEnd = 0;
  row.offsets.forEach(([start, end], i) => {
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(end) ||
      start < previousEnd ||
      end < start ||
      end > text.length
    ) {
      fail(
        `Offsets ${i} [${start}, ${end}) are not inside the text (length ${text.length}) after the previous token`,
        'Offsets must be whole numbers, ascending, not overlapping, within the text.',
      );
    }
    previousEnd = end;
  });
}

/**
 * The characters of a row in order, each run tagged with its token's score: the tokens themselves, or
 * with `text`/`offsets` the text cut at the offsets (gaps between tokens come untagged).
 */
export function textSegments(row: AttributedText): TextSegment[] {
  const text = row.text;
  if (text === undefined || row.offsets === undefined)
    return row.tokens.map((token, i) => ({ text: token, score: row.scores[i] ?? 0, token: i }));
  const segments: TextSegment[] = [];
  let at = 0;
  row.offsets.forEach(([start, end], token) => {
    if (start > at) segments.push({ text: text.slice(at, start) });
    segments.push({ text: text.slice(start, end), score: row.scores[token] ?? 0, token });
    at = end;
  });
  if (at < text.length) segments.push({ text: text.slice(at) });
  return segments;
}

/**
 * The largest |score| of the rows: what maps to the strongest colour when the rows share a scale.
 * 0 when every score is 0.
 */
export function maxMagnitude(rows: readonly AttributedText[]): number {
  return rows.reduce((m, row) => row.scores.reduce((n, s) => Math.max(n, Math.abs(s)), m), 0);
}

/**
 * How a view turns scores into colour strength: `shared` (default) divides by the largest |score| of all
 * rows, so rows compare; `row` divides each row by its own; a number is the |score| that gets the full
 * colour (larger ones are clipped).
 *
 * @example
 * const scale: ColorScale = 'row'; // each method's row spans its own full range
 */
export type ColorScale = 'shared' | 'row' | number;

/** The |score| that gets the full colour in each row, per {@link ColorScale}. */
function rowLimits(rows: readonly AttributedText[], scale: ColorScale, where: string): number[] {
  if (typeof scale === 'number') {
    if (!(scale > 0) || !Number.isFinite(scale))
      throw new TextViewError({
        what: `A colour scale must be > 0, got ${scale}`,
        where,
        fix: "Use e.g. 1, 'shared' or 'row'.",
      });
    return rows.map(() => scale);
  }
  if (!(['shared', 'row'] as readonly string[]).includes(scale))
    throw new TextViewError({
      what: `Unknown colour scale ${JSON.stringify(scale)}`,
      where,
      fix: "Use 'shared', 'row' or a number > 0.",
    });
  const shared = maxMagnitude(rows);
  return rows.map((row) => (scale === 'row' ? maxMagnitude([row]) : shared));
}

/**
 * What a view draws: `rows` (one row or a list) as a list, each row checked, with the |score| that gets the
 * full colour in each, per `scale` (checked too; `view` names the function in errors).
 */
export function viewRows(
  rows: AttributedText | readonly AttributedText[],
  scale: ColorScale,
  view: string,
): { list: readonly AttributedText[]; limits: number[] } {
  const list: readonly AttributedText[] = Array.isArray(rows) ? rows : [rows as AttributedText];
  list.forEach((row, i) => {
    checkAttributedText(row, `${view} rows[${i}]`);
  });
  return { list, limits: rowLimits(list, scale, `${view} options.scale`) };
}
