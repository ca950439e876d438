// Encode throughput on the whole of Moby Dick, for docs/tokenizers.md. Not part of the normal run (speed
// goals live in benchmarks, never in tests): `TDHOOK_MEASURE_TOKENIZERS=1 TDHOOK_TEST_BACKEND=cpu pnpm exec
// vitest run --configLoader runner test/tokenizers-throughput`. Prints a table; asserts nothing about speed.
import { createRequire } from 'node:module';

import { describe, expect, it } from 'vitest';

import { CharTokenizer, Gpt2Tokenizer, WordTokenizer } from '../src/index.js';
import { gpt2Merges, gpt2Vocab, huggingFaceEncode, mobyDick, oracleEncode } from './tokenizers-fixtures.js';

const require = createRequire(import.meta.url);

/** Best of `runs` timings (the first run also fills caches), in characters per second. */
function charsPerSecond(
  encode: (text: string) => unknown,
  runs = 5,
  text = mobyDick,
): { cold: number; warm: number } {
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    encode(text);
    rates.push(text.length / ((performance.now() - start) / 1000));
  }
  return { cold: rates[0] ?? 0, warm: Math.max(...rates) };
}

describe.runIf(process.env['TDHOOK_MEASURE_TOKENIZERS'] === '1')('tokenizer throughput on Moby Dick', () => {
  it('measures encode in characters per second', () => {
    const loadStart = performance.now();
    const gpt2 = Gpt2Tokenizer.fromVocabAndMerges(gpt2Vocab, gpt2Merges);
    const loadMs = performance.now() - loadStart;
    const char = CharTokenizer.fromText(mobyDick);
    const word = WordTokenizer.fromTexts([mobyDick]);
    const gpt3Encoder = require('gpt-3-encoder') as { encode(text: string): number[] };
    const rows: [string, { cold: number; warm: number }][] = [
      ['Gpt2Tokenizer.encode', charsPerSecond((text) => gpt2.encode(text))],
      ['Gpt2Tokenizer.encodeWithOffsets', charsPerSecond((text) => gpt2.encodeWithOffsets(text))],
      ['CharTokenizer.encode', charsPerSecond((text) => char.encode(text))],
      ['WordTokenizer.encode', charsPerSecond((text) => word.encode(text))],
      ['js-tiktoken 1.0.21 (gpt2 ranks)', charsPerSecond(oracleEncode)],
      ['@huggingface/tokenizers 0.2.0', charsPerSecond(huggingFaceEncode, 3)],
      // gpt-3-encoder concatenates its output array per piece (quadratic): a tenth of the book.
      [
        'gpt-3-encoder 1.1.4 (first 10%)',
        charsPerSecond((text) => gpt3Encoder.encode(text), 2, mobyDick.slice(0, mobyDick.length / 10)),
      ],
    ];
    const million = (rate: number): string => (rate / 1e6).toFixed(2);
    console.log(
      [
        `Moby Dick: ${mobyDick.length} characters, ${gpt2.encode(mobyDick).length} GPT-2 tokens; Gpt2Tokenizer load ${loadMs.toFixed(0)} ms`,
        '| tokenizer | first run (M chars/s) | best run (M chars/s) |',
        '|---|---|---|',
        ...rows.map(([name, rate]) => `| ${name} | ${million(rate.cold)} | ${million(rate.warm)} |`),
      ].join('\n'),
    );
    expect(rows.every(([, rate]) => rate.warm > 0)).toBe(true);
  }, 300_000);
});
