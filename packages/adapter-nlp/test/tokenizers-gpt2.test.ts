import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { seededRandom } from '@tdhook/core/plugin';

import { Gpt2Tokenizer, loadTokenizer, saveTokenizer, type TokenEncoding } from '../src/index.js';
import {
  gpt2Merges,
  gpt2TokenizerJson,
  gpt2Vocab,
  huggingFaceEncode,
  mobyDick,
  oracleEncode,
  variedText,
  writeTokenizerJson,
  writeVocabAndMerges,
} from './tokenizers-fixtures.js';

let scratch = '';
let fromFiles: Gpt2Tokenizer;
let fromJson: Gpt2Tokenizer;
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'tdhook-tokenizers-'));
  const files = await loadTokenizer(writeVocabAndMerges(join(scratch, 'vocab-merges')));
  const json = await loadTokenizer(writeTokenizerJson(join(scratch, 'tokenizer-json')));
  if (files.kind !== 'gpt2' || json.kind !== 'gpt2') throw new Error('expected GPT-2 tokenizers');
  fromFiles = files;
  fromJson = json;
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * The offsets start at 0, end at the text's length, never go backwards, and leave no character out.
 * (Checked in a loop with one assertion: a million `expect` calls would take most of the test's time.)
 */
function expectOffsetsCover(text: string, { ids, offsets }: TokenEncoding): void {
  expect(offsets).toHaveLength(ids.length);
  let covered = 0;
  const bad = offsets.findIndex(([start, end]) => {
    const ok = (covered === 0 ? start === 0 : start <= covered) && end > start && end >= covered;
    covered = end;
    return !ok;
  });
  expect(bad, `offsets[${bad}] = ${JSON.stringify(offsets[bad])}`).toBe(-1);
  expect(covered).toBe(text.length);
}

/** The first index where two id sequences differ, or -1 (faster than a deep equality on 300,000 ids). */
function firstDifference(actual: readonly number[], expected: readonly number[]): number {
  const length = Math.max(actual.length, expected.length);
  for (let i = 0; i < length; i++) if (actual[i] !== expected[i]) return i;
  return -1;
}

describe('Gpt2Tokenizer: known GPT-2 tokenisations', () => {
  it.each([
    ['Hello world', [15496, 995]],
    [' Hello', [18435]],
    ["Hello world, it's 2024!", [15496, 995, 11, 340, 338, 48609, 0]],
    ['<|endoftext|>', [27, 91, 437, 1659, 5239, 91, 29]],
    ['\n\n', [628]],
    ['', []],
  ])('%j → %j', (text, ids) => {
    expect(fromFiles.encode(text)).toEqual(ids);
    expect(fromJson.encode(text)).toEqual(ids);
    expect(oracleEncode(text)).toEqual(ids); // the literals agree with the oracle too
  });

  it('has GPT-2 vocabulary size and special tokens', () => {
    expect(fromFiles.vocabSize).toBe(50257);
    expect(fromFiles.specialTokens).toEqual({ bos: 50256, eos: 50256 });
    expect(fromJson.specialTokens).toEqual({ bos: 50256, eos: 50256 });
    expect(fromFiles.decode([50256])).toBe('<|endoftext|>');
  });

  it('shows tokens as text: Ġ as a space, Ċ as a newline, partial characters as bytes', () => {
    expect(fromFiles.tokens([15496, 995, 628])).toEqual(['Hello', ' world', '\n\n']);
    expect(fromFiles.idToToken(995)).toBe('Ġworld');
    const hug = fromFiles.encode('🤗'); // 4 bytes, more than one token
    expect(hug.length).toBeGreaterThan(1);
    expect(fromFiles.tokens(hug).join('')).toMatch(/^(<0x[0-9A-F]{2}>)+$/);
    expect(fromFiles.decode(hug)).toBe('🤗');
    expect(fromFiles.decode(hug.slice(0, 1))).toBe('\ufffd'); // a cut character decodes to U+FFFD
  });
});

describe('Gpt2Tokenizer against js-tiktoken (GPT-2 ranks)', () => {
  it('gives identical ids on varied text, both file formats, and decodes it back exactly', () => {
    const expected = oracleEncode(variedText);
    expect(fromFiles.encode(variedText)).toEqual(expected);
    expect(fromJson.encode(variedText)).toEqual(expected);
    expect(fromFiles.decode(expected)).toBe(variedText);
    const withOffsets = fromFiles.encodeWithOffsets(variedText);
    expect(withOffsets.ids).toEqual(expected);
    expectOffsetsCover(variedText, withOffsets);
  });

  it('gives identical ids on the whole of Moby Dick, round-trips it, and its offsets cover it', () => {
    const expected = oracleEncode(mobyDick);
    const ids = fromFiles.encode(mobyDick);
    expect(ids.length).toBe(expected.length);
    expect(firstDifference(ids, expected)).toBe(-1);
    expect(fromFiles.decode(ids) === mobyDick).toBe(true);
    const withOffsets = fromFiles.encodeWithOffsets(mobyDick);
    expect(firstDifference(withOffsets.ids, expected)).toBe(-1);
    expectOffsetsCover(mobyDick, withOffsets);
    // Where a token shares no character with its neighbours, its range is exactly its text. (Curly quotes
    // are 3 bytes, which GPT-2 often splits, so not every token qualifies.)
    const { offsets } = withOffsets;
    let alone = 0;
    const wrong: number[] = [];
    offsets.forEach(([start, end], i) => {
      if ((offsets[i - 1]?.[1] ?? 0) <= start && end <= (offsets[i + 1]?.[0] ?? Infinity)) {
        alone++;
        if (mobyDick.slice(start, end) !== fromFiles.tokenToString(ids[i] ?? -1)) wrong.push(i);
      }
    });
    expect(wrong).toEqual([]);
    expect(alone).toBeGreaterThan(0.95 * ids.length);
  });
});

describe('Gpt2Tokenizer against @huggingface/tokenizers reading the same tokenizer.json', () => {
  it('gives identical ids on varied text and the first 200,000 characters of Moby Dick', () => {
    for (const text of [variedText, mobyDick.slice(0, 200_000)]) {
      expect(firstDifference(fromJson.encode(text), huggingFaceEncode(text))).toBe(-1);
    }
  });
});

describe('Gpt2Tokenizer on random text', () => {
  // Letters, digits, punctuation, apostrophes, every kind of space, accents, combining marks, CJK, emoji
  // (with modifiers and ZWJ), astral letters: short strings drawn from them stress the pattern's edges.
  const alphabet = Array.from(
    'aZ09\'sStTreRvmlld .,!?;:-_()[]{}"/\\@#$%^&*+=<>|~`  \n\n\t\r\u00a0\u2009\u3000éüßÆİǅ\u0301\u0308中文日本語한국어Ωπ😀👍🏽\u200d👩🇫🇷𝔘𝟙①½',
  );

  it('gives js-tiktoken ids, decodes back exactly, and covers the text with offsets', () => {
    const random = seededRandom(13);
    for (let trial = 0; trial < 400; trial++) {
      const length = 1 + Math.floor(random() * 40);
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)] ?? '';
      const encoding = fromFiles.encodeWithOffsets(text);
      expect(encoding.ids, JSON.stringify(text)).toEqual(oracleEncode(text));
      expect(fromFiles.decode(encoding.ids)).toBe(text);
      expectOffsetsCover(text, encoding);
    }
  });

  it("splits at U+0085 as GPT-2's Python pattern does (Unicode White_Space), where JavaScript's \\s does not", () => {
    // Python's `regex` (GPT-2's encoder.py) splits 'a \u0085b' into 'a', ' ', '\u0085', 'b'; js-tiktoken and
    // tokenizers.js use JavaScript's \s, which lacks U+0085, and give 'a', ' \u0085', 'b'.
    const pieces = ['a', ' ', '\u0085', 'b'];
    expect(fromFiles.encode(pieces.join(''))).toEqual(pieces.flatMap((piece) => oracleEncode(piece)));
    expect(oracleEncode(pieces.join(''))).toEqual([64, 1587, 227, 65]);
  });
});

describe('Gpt2Tokenizer offsets', () => {
  it('are the token texts for whole characters, ASCII or not', () => {
    const text = 'Hello wörld, café';
    const { ids, offsets } = fromFiles.encodeWithOffsets(text);
    const pieces = offsets.map(([start, end]) => text.slice(start, end));
    expect(pieces.join('')).toBe(text);
    expect(offsets.slice(0, 2)).toEqual([
      [0, 5],
      [5, 7], // ' w'
    ]);
    expect(fromFiles.tokens(ids).join('')).toContain('Hello');
  });

  it('give every token of a split character that character: ranges overlap there and nowhere else', () => {
    const text = 'a🤗b';
    const { ids, offsets } = fromFiles.encodeWithOffsets(text);
    expect(ids).toEqual(oracleEncode(text));
    expect(offsets[0]).toEqual([0, 1]);
    const emojiTokens = offsets.slice(1, -1);
    expect(emojiTokens.length).toBeGreaterThan(1);
    for (const range of emojiTokens) expect(range).toEqual([1, 3]); // the surrogate pair, for each part
    expect(offsets.at(-1)).toEqual([3, 4]);
    expectOffsetsCover(text, { ids, offsets });
  });

  it('encode a lone surrogate (not valid Unicode) as U+FFFD, as TextEncoder does, with its one code unit as range', () => {
    const { ids, offsets } = fromFiles.encodeWithOffsets('a\ud800b');
    expect(ids).toEqual(fromFiles.encode('a\ufffdb'));
    expect(offsets.every(([start, end]) => start >= 0 && end <= 3)).toBe(true);
    expect(fromFiles.decode(ids)).toBe('a\ufffdb');
  });

  it('cover texts of emoji sequences and combining marks', () => {
    for (const text of ['👨‍👩‍👧‍👦 family', 'e\u0301 ñ 👍🏽👍🏽', '  \n\t x']) {
      const encoding = fromFiles.encodeWithOffsets(text);
      expect(encoding.ids).toEqual(oracleEncode(text));
      expectOffsetsCover(text, encoding);
    }
  });
});

describe('Gpt2Tokenizer files', () => {
  it('saves vocab.json + merges.txt + special_tokens_map.json and loads back the same tokenizer', async () => {
    const folder = join(scratch, 'saved');
    await saveTokenizer(fromJson, folder);
    const again = await loadTokenizer(folder);
    expect(again.kind).toBe('gpt2');
    expect(again.encode(variedText)).toEqual(fromFiles.encode(variedText));
    expect(again.specialTokens).toEqual({ bos: 50256, eos: 50256 });
    expect(fromFiles.toFiles().merges).toBe(gpt2Merges);
  });

  it('takes special roles from options or special_tokens_map.json', () => {
    const tokenizer = Gpt2Tokenizer.fromVocabAndMerges(gpt2Vocab, gpt2Merges, {
      special: { eos: '<|endoftext|>', pad: '<|endoftext|>' },
    });
    expect(tokenizer.specialTokens).toEqual({ eos: 50256, pad: 50256 });
    expect(() =>
      Gpt2Tokenizer.fromVocabAndMerges(gpt2Vocab, gpt2Merges, { special: { pad: '<pad>' } }),
    ).toThrowTdhookError('E_TOKENIZER_TOKEN', /"<pad>" is not in the vocabulary/);
  });

  it('refuses malformed vocabularies and merges, naming the entry', () => {
    const brokenMerges = gpt2Merges.replace('Ġ t\n', 'Ġt\n');
    expect(() => Gpt2Tokenizer.fromVocabAndMerges(gpt2Vocab, brokenMerges)).toThrowTdhookError(
      'E_TOKENIZER_FORMAT',
      /merges.txt, line 2/,
    );
    const { Ġ: space, ...withoutSpace } = gpt2Vocab;
    expect(() =>
      Gpt2Tokenizer.fromVocabAndMerges({ ...withoutSpace, '<space>': space ?? 220 }, gpt2Merges),
    ).toThrowTdhookError('E_TOKENIZER_FORMAT', /byte 0x20/);
    expect(() =>
      Gpt2Tokenizer.fromVocabAndMerges({ ...gpt2Vocab, '<extra>': 60000 }, gpt2Merges),
    ).toThrowTdhookError('E_TOKENIZER_FORMAT', /No token has the id 50257/);
    expect(() =>
      Gpt2Tokenizer.fromVocabAndMerges({ ...gpt2Vocab, hello: 1.5 }, gpt2Merges),
    ).toThrowTdhookError('E_TOKENIZER_FORMAT', /not a non-negative integer/);
    expect(() => Gpt2Tokenizer.fromVocabAndMerges([1, 2], gpt2Merges)).toThrowTdhookError(
      'E_TOKENIZER_FORMAT',
    );
  });

  it('refuses tokenizer.json models it does not implement, naming the field', () => {
    const variants: [string, (json: Record<string, unknown>) => void, RegExp][] = [
      [
        'WordPiece',
        (json) => ((json['model'] as Record<string, unknown>)['type'] = 'WordPiece'),
        /model type is "WordPiece"/,
      ],
      ['a normalizer', (json) => (json['normalizer'] = { type: 'NFC' }), /NFC normalizer/],
      [
        'Metaspace',
        (json) => (json['pre_tokenizer'] = { type: 'Metaspace' }),
        /Metaspace, not GPT-2's ByteLevel/,
      ],
      [
        'a prefix space',
        (json) => (json['pre_tokenizer'] = { type: 'ByteLevel', add_prefix_space: true }),
        /add_prefix_space/,
      ],
      [
        'byte fallback',
        (json) => ((json['model'] as Record<string, unknown>)['byte_fallback'] = true),
        /model.byte_fallback/,
      ],
    ];
    for (const [, edit, pattern] of variants) {
      const json = gpt2TokenizerJson();
      edit(json);
      expect(() => Gpt2Tokenizer.fromTokenizerJson(json)).toThrowTdhookError('E_TOKENIZER_MODEL', pattern);
    }
    expect(() => Gpt2Tokenizer.fromTokenizerJson({ version: '1.0' })).toThrowTdhookError(
      'E_TOKENIZER_FORMAT',
      /no "model"/,
    );
  });

  it('refuses ids outside the vocabulary', () => {
    expect(() => fromFiles.decode([15496, 50257])).toThrowTdhookError('E_TOKENIZER_TOKEN', /ids\[1\]/);
    expect(() => fromFiles.tokenToString(-1)).toThrowTdhookError('E_TOKENIZER_TOKEN');
  });
});
