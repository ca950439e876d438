// Induction sequences: random tokens with one span copied to a random later position. Predicting the copy's
// continuation needs an induction head (find the earlier occurrence of the current token, copy what followed);
// random offsets remove the positional shortcut that a fixed offset would leave.
import { createRandom, randomInt } from '../random.js';

/**
 * Options of {@link generateInductionBatch}.
 *
 * @example
 * const options: InductionOptions = { seed: 1, count: 64 };
 */
export interface InductionOptions {
  readonly seed: number;
  /** Number of sequences. */
  readonly count: number;
  /** Tokens 0…vocabSize−1; default 32. */
  readonly vocabSize?: number;
  /** Sequence length; default 32. */
  readonly length?: number;
  /** Shortest and longest copied span; default [4, 10]. */
  readonly spanLength?: readonly [number, number];
}

/**
 * A batch of induction sequences, row-major `[count, length]`.
 *
 * @example
 * const batch: InductionBatch = generateInductionBatch({ seed: 1, count: 2 });
 */
export interface InductionBatch {
  readonly count: number;
  readonly length: number;
  readonly vocabSize: number;
  /** The tokens, `count · length` values. */
  readonly tokens: Int32Array;
  /**
   * 1 where the *next* token is predictable by induction (position p of a copy whose token p+1 is the copy of
   * the token after p's original), else 0; `count · length` values. The last position is always 0.
   */
  readonly mask: Float32Array;
  /** Per sequence: where the span starts, where its copy starts, and its length. */
  readonly spans: readonly { readonly source: number; readonly copy: number; readonly length: number }[];
}

/**
 * Seeded induction sequences: uniform random tokens, then a span of 4–10 tokens (uniform) from a random
 * place copied to a random later place that does not overlap it. Every copied token but the first is
 * predictable from the earlier occurrence; {@link InductionBatch.mask} marks the positions that predict them.
 *
 * @throws RangeError when the options leave no room for a span and its copy (length < 2 · longest span).
 * @example
 * import { generateInductionBatch } from '@tdhook/nlp-assets';
 * const { tokens, mask, spans } = generateInductionBatch({ seed: 1, count: 64 });
 */
export function generateInductionBatch(options: InductionOptions): InductionBatch {
  const { seed, count, vocabSize = 32, length = 32, spanLength = [4, 10] } = options;
  const [shortest, longest] = spanLength;
  if (!(Number.isInteger(shortest) && Number.isInteger(longest) && shortest >= 2 && longest >= shortest)) {
    throw new RangeError(
      `generateInductionBatch: spanLength must be integers 2 ≤ a ≤ b, got [${shortest}, ${longest}].`,
    );
  }
  if (!Number.isInteger(length) || length < 2 * longest) {
    throw new RangeError(
      `generateInductionBatch: length ${length} leaves no room for two spans of ${longest} tokens.`,
    );
  }
  if (!Number.isInteger(count) || count < 0 || !Number.isInteger(vocabSize) || vocabSize < 2) {
    throw new RangeError(
      `generateInductionBatch: count must be a non-negative integer and vocabSize ≥ 2, got ${count}, ${vocabSize}.`,
    );
  }
  const random = createRandom(seed);
  const tokens = new Int32Array(count * length);
  const mask = new Float32Array(count * length);
  const spans: { source: number; copy: number; length: number }[] = [];
  for (let row = 0; row < count; row++) {
    const base = row * length;
    for (let p = 0; p < length; p++) tokens[base + p] = randomInt(random, vocabSize);
    const span = shortest + randomInt(random, longest - shortest + 1);
    const source = randomInt(random, length - 2 * span + 1);
    const copy = source + span + randomInt(random, length - source - 2 * span + 1);
    for (let j = 0; j < span; j++) tokens[base + copy + j] = tokens[base + source + j] as number;
    for (let j = 0; j < span - 1; j++) mask[base + copy + j] = 1;
    spans.push({ source, copy, length: span });
  }
  return { count, length, vocabSize, tokens, mask, spans };
}
