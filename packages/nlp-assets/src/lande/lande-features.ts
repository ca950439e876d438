// lande's input: the relative frequencies of 620 character n-grams (1–4 characters) in the normalised text,
// computed exactly as lande 1.0.10 computes them (standalone/utils.js: getNormalized, getNgrams, infer), plus
// where each n-gram occurrence lies in the *original* text, so attributions on features map back to characters.
import { readLandeNgrams } from './lande-files.js';

/**
 * The 620 features' n-grams in input order (120 unigrams, 175 bigrams, 175 trigrams, 150 quadgrams), as lande
 * matches them in the normalised text (lowercase; a space stands for a word boundary).
 *
 * @example
 * import { landeFeatureNames } from '@tdhook/nlp-assets';
 * landeFeatureNames.length; // 620
 */
export const landeFeatureNames: readonly string[] = (() => {
  const { unigrams, bigrams, trigrams, quadgrams } = readLandeNgrams();
  return [...unigrams, ...bigrams, ...trigrams, ...quadgrams];
})();

/**
 * One occurrence of a feature's n-gram: the feature index and the characters of the original text it came
 * from, `[start, end)` in UTF-16 offsets (`text.slice(start, end)`). Removed characters (digits, punctuation)
 * between kept ones are inside the range; the spaces lande pads the text with map to empty ranges next to the
 * first and last kept characters.
 *
 * @example
 * const occurrence: LandeOccurrence = { feature: 12, start: 4, end: 7 };
 */
export interface LandeOccurrence {
  readonly feature: number;
  readonly start: number;
  readonly end: number;
}

/**
 * lande's features of one text.
 *
 * @example
 * const features: LandeFeatures = featurizeLande('Hello world');
 * features.values.length; // 620
 */
export interface LandeFeatures {
  readonly text: string;
  /** The text as lande normalises it: `' hello world '`. */
  readonly normalized: string;
  /** The 620 relative frequencies, in {@link landeFeatureNames} order (float32, as lande feeds them). */
  readonly values: Float32Array;
  /** Every occurrence of every feature's n-gram, in order of position then n-gram length. */
  readonly occurrences: readonly LandeOccurrence[];
}

/** A piece of the normalised text and the original characters it stands for. */
interface Piece {
  text: string;
  start: number;
  end: number;
}

const isKept = (char: string): boolean => /^[\p{L}\p{M}\s]$/u.test(char);
const isSpace = (char: string): boolean => /^\s$/.test(char);

/** lande's getNormalized, step by step over pieces that remember their original offsets. */
function normalise(text: string): Piece[] {
  // 1. Runs of '-' become one space. 2. Everything but letters, marks and whitespace goes.
  const kept: Piece[] = [];
  let offset = 0;
  for (const char of text) {
    const start = offset;
    offset += char.length;
    const last = kept[kept.length - 1];
    if (char === '-') {
      if (last?.text === '-' && last.end === start) last.end = offset;
      else kept.push({ text: '-', start, end: offset });
    } else kept.push({ text: char, start, end: offset });
  }
  const letters = kept
    .map((piece) => (piece.text === '-' ? { ...piece, text: ' ' } : piece))
    .filter((piece) => isKept(piece.text));
  // 3. Runs of two or more whitespace characters become one space (single ones stay as they are).
  const collapsed: Piece[] = [];
  for (let i = 0; i < letters.length;) {
    const piece = letters[i] as Piece;
    let j = i + 1;
    if (isSpace(piece.text)) while (j < letters.length && isSpace((letters[j] as Piece).text)) j++;
    collapsed.push(
      j - i >= 2 ? { text: ' ', start: piece.start, end: (letters[j - 1] as Piece).end } : { ...piece },
    );
    i = j;
  }
  // 4. Lowercase the whole string (context-dependent rules such as Greek final sigma need it), then share the
  // result out by each piece's own lowercase length.
  const lowered = collapsed
    .map((piece) => piece.text)
    .join('')
    .toLowerCase();
  let at = 0;
  for (const piece of collapsed) {
    const length = piece.text.toLowerCase().length;
    piece.text = lowered.slice(at, at + length);
    at += length;
  }
  if (at !== lowered.length)
    throw new Error('featurizeLande: lowercasing changed the text in an unexpected way.');
  // 5. Trim, 6. pad with one space on each side.
  let first = 0;
  let last = collapsed.length;
  while (first < last && /^\s+$/.test((collapsed[first] as Piece).text)) first++;
  while (last > first && /^\s+$/.test((collapsed[last - 1] as Piece).text)) last--;
  // The padding spaces get empty spans next to the first and last kept characters, so that an n-gram
  // ending in one does not reach over removed characters (a final '.').
  const body = collapsed.slice(first, last);
  const head = body[0]?.start ?? 0;
  const tail = body[body.length - 1]?.end ?? 0;
  return [{ text: ' ', start: head, end: head }, ...body, { text: ' ', start: tail, end: tail }];
}

const featureIndex = new Map<string, number>(landeFeatureNames.map((name, i) => [name, i]));

/**
 * lande's 620 input features of a text, and the span in the text of every n-gram occurrence behind them. The
 * values equal lande 1.0.10's own input vector bit for bit (the tests check the normalised text and the
 * values against lande's `getNormalized` / `getNgrams`).
 *
 * @example
 * import { featurizeLande } from '@tdhook/nlp-assets';
 * const { values, occurrences } = featurizeLande('Das ist gut.');
 * occurrences.filter((o) => o.end > o.start).map((o) => 'Das ist gut.'.slice(o.start, o.end));
 */
export function featurizeLande(text: string): LandeFeatures {
  const pieces = normalise(text);
  // Per UTF-16 unit of the normalised string (lande slices n-grams by code units), its original range.
  const unitStart: number[] = [];
  const unitEnd: number[] = [];
  for (const piece of pieces) {
    for (let k = 0; k < piece.text.length; k++) {
      unitStart.push(piece.start);
      unitEnd.push(piece.end);
    }
  }
  const normalized = pieces.map((piece) => piece.text).join('');
  const counts = new Float64Array(landeFeatureNames.length);
  const occurrences: LandeOccurrence[] = [];
  const totals = [1, 2, 3, 4].map((n) => Math.max(0, normalized.length - n + 1));
  for (let i = 0; i < normalized.length; i++) {
    for (let n = 1; n <= 4 && i + n <= normalized.length; n++) {
      const feature = featureIndex.get(normalized.slice(i, i + n));
      if (feature === undefined) continue;
      counts[feature] = (counts[feature] as number) + 1;
      let start = unitStart[i] as number;
      let end = unitEnd[i] as number;
      for (let k = i + 1; k < i + n; k++) {
        start = Math.min(start, unitStart[k] as number);
        end = Math.max(end, unitEnd[k] as number);
      }
      occurrences.push({ feature, start, end });
    }
  }
  const values = new Float32Array(landeFeatureNames.length);
  for (let f = 0; f < values.length; f++) {
    const n = (landeFeatureNames[f] as string).length;
    if (counts[f] !== 0) values[f] = (counts[f] as number) / (totals[n - 1] as number);
  }
  return { text, normalized, values, occurrences };
}

/**
 * Spreads an attribution over lande's 620 features onto the characters of the text: each feature's score is
 * split equally among its occurrences, and each occurrence's share equally among the characters of its span.
 * Shares of occurrences with an empty span (n-grams made only of lande's padding spaces) are dropped, so the
 * characters' sum equals the features' sum up to them.
 *
 * @throws RangeError when the attribution does not have 620 values.
 * @example
 * import { featurizeLande, landeCharacterScores } from '@tdhook/nlp-assets';
 * const features = featurizeLande('Das ist gut.');
 * const perChar = landeCharacterScores(features, attribution); // attribution: 620 numbers
 */
export function landeCharacterScores(features: LandeFeatures, attribution: ArrayLike<number>): Float32Array {
  if (attribution.length !== landeFeatureNames.length) {
    throw new RangeError(
      `landeCharacterScores: expected ${landeFeatureNames.length} feature scores, got ${attribution.length}.`,
    );
  }
  const occurrencesOf = new Uint32Array(landeFeatureNames.length);
  for (const { feature } of features.occurrences)
    occurrencesOf[feature] = (occurrencesOf[feature] as number) + 1;
  const scores = new Float32Array(features.text.length);
  for (const { feature, start, end } of features.occurrences) {
    if (end <= start) continue;
    const share = (attribution[feature] as number) / (occurrencesOf[feature] as number) / (end - start);
    for (let c = start; c < end; c++) scores[c] = (scores[c] as number) + share;
  }
  return scores;
}
