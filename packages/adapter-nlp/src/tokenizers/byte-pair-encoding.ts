import { TokenizerError } from './tokenizer-error.js';

// Pieces repeat a lot in real text (words), so each piece's ids are cached; the cache is emptied when it
// grows past this many entries, which bounds its memory on long, varied inputs.
const cacheLimit = 100_000;

/**
 * BPE by merge rank, as GPT-2 does it: start from single symbols, and while some adjacent pair is in the
 * merge list, merge every occurrence (left to right) of the pair with the lowest rank.
 */
export class BytePairEncoding {
  readonly #ranks = new Map<string, number>();
  readonly #vocab: ReadonlyMap<string, number>;
  readonly #cache = new Map<string, number[]>();

  /** `merges[i]` has rank i. Both parts and their concatenation must be in `vocab` (checked by callers). */
  constructor(vocab: ReadonlyMap<string, number>, merges: readonly (readonly [string, string])[]) {
    this.#vocab = vocab;
    merges.forEach(([left, right], rank) => {
      const key = `${left} ${right}`;
      // A repeated merge keeps its first (lowest) rank, as a dict built in file order would not; the files
      // we know have none.
      if (!this.#ranks.has(key)) this.#ranks.set(key, rank);
    });
  }

  /** The ids of one piece, given as a byte-level string. */
  encode(piece: string): number[] {
    const cached = this.#cache.get(piece);
    if (cached !== undefined) return cached;
    const ids = this.#merge(Array.from(piece)).map((symbol) => this.#idOf(symbol, piece));
    if (this.#cache.size >= cacheLimit) this.#cache.clear();
    this.#cache.set(piece, ids);
    return ids;
  }

  #merge(symbols: string[]): string[] {
    while (symbols.length > 1) {
      let bestRank = Infinity;
      let best = -1;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = this.#ranks.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      const left = symbols[best] ?? '';
      const right = symbols[best + 1] ?? '';
      const merged: string[] = symbols.slice(0, best);
      for (let i = best; i < symbols.length;) {
        if (i + 1 < symbols.length && symbols[i] === left && symbols[i + 1] === right) {
          merged.push(left + right);
          i += 2;
        } else {
          merged.push(symbols[i] ?? '');
          i += 1;
        }
      }
      symbols = merged;
    }
    return symbols;
  }

  #idOf(symbol: string, piece: string): number {
    const id = this.#vocab.get(symbol);
    if (id === undefined) {
      throw new TokenizerError('E_TOKENIZER_FORMAT', {
        what: `BPE produced the symbol '${symbol}', which the vocabulary does not hold`,
        where: `piece '${piece}'`,
        fix: 'The vocabulary must hold every single byte symbol and every merge result; check vocab.json and merges.txt come from the same tokenizer.',
      });
    }
    return id;
  }
}
