import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import {
  CharTokenizer,
  loadTokenizer,
  saveTokenizer,
  tdhookTokenizerFileName,
  WordTokenizer,
} from '../src/index.js';
import { mobyDick } from './tokenizers-fixtures.js';

let scratch = '';
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'tdhook-tokenizers-'));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('CharTokenizer', () => {
  it('builds the vocabulary in code-point order after unknown and special tokens', () => {
    const tokenizer = CharTokenizer.fromText('hello world', { unknown: '<unk>', special: { pad: '<pad>' } });
    expect(tokenizer.toJSON()).toEqual({
      kind: 'char',
      vocab: ['<unk>', '<pad>', ' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w'],
      unknown: '<unk>',
      lowercase: false,
      special: { pad: '<pad>' },
    });
    expect(tokenizer.specialTokens).toEqual({ unknown: 0, pad: 1 });
    expect(tokenizer.encode('hold!')).toEqual([5, 7, 6, 3, 0]);
    expect(tokenizer.tokens([5, 0])).toEqual(['h', '<unk>']);
    expect(tokenizer.vocabSize).toBe(10);
  });

  it('round-trips Moby Dick, one token per character with exact offsets', () => {
    const tokenizer = CharTokenizer.fromText(mobyDick);
    expect(tokenizer.vocabSize).toBe(new Set(mobyDick).size);
    const text = mobyDick.slice(0, 20_000);
    const { ids, offsets } = tokenizer.encodeWithOffsets(text);
    expect(tokenizer.decode(ids)).toBe(text);
    expect(offsets.every(([start, end], i) => start === i && end === i + 1)).toBe(true);
  });

  it('counts characters outside the BMP as one token covering two code units, in code-point order', () => {
    const tokenizer = CharTokenizer.fromText('a🤗\uffe0');
    expect(tokenizer.toJSON().vocab).toEqual(['a', '\uffe0', '🤗']);
    expect(tokenizer.encodeWithOffsets('🤗a')).toEqual({
      ids: [2, 0],
      offsets: [
        [0, 2],
        [2, 3],
      ],
    });
  });

  it('lowercases before lookup but keeps offsets in the original text', () => {
    const tokenizer = CharTokenizer.fromText('Ab', { lowercase: true });
    expect(tokenizer.toJSON().vocab).toEqual(['a', 'b']);
    expect(tokenizer.encodeWithOffsets('BA')).toEqual({
      ids: [1, 0],
      offsets: [
        [0, 1],
        [1, 2],
      ],
    });
  });

  it('refuses characters it does not know when it has no unknown token, and ids it does not have', () => {
    const tokenizer = CharTokenizer.fromText('abc');
    expect(() => tokenizer.encode('abz')).toThrowTdhookError(
      'E_TOKENIZER_TOKEN',
      /"z" \(starting with U\+007A\).*text index 2/,
    );
    expect(() => tokenizer.decode([0, 3])).toThrowTdhookError('E_TOKENIZER_TOKEN', /ids\[1\]/);
    expect(() => CharTokenizer.fromText('a', { unknown: '' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /unknown/,
    );
  });
});

describe('WordTokenizer', () => {
  it('splits words, punctuation and symbols by the documented rule, dropping whitespace', () => {
    const text = "Mary's 2 cats,  3.5kg!\n👍🏽 naïve e\u0301t\u00e9";
    const tokenizer = WordTokenizer.fromTexts([text]);
    const { ids, offsets } = tokenizer.encodeWithOffsets(text);
    expect(offsets.map(([start, end]) => text.slice(start, end))).toEqual([
      'Mary',
      "'",
      's',
      '2',
      'cats',
      ',',
      '3',
      '.',
      '5kg',
      '!',
      '👍',
      '🏽',
      'naïve',
      'e\u0301t\u00e9',
    ]);
    expect(tokenizer.tokens(ids)).toEqual(offsets.map(([start, end]) => text.slice(start, end)));
  });

  it('orders the vocabulary by count, then code point, after unknown and special tokens', () => {
    const tokenizer = WordTokenizer.fromTexts(['the cat and the dog', 'The cat'], {
      unknown: '<unk>',
      special: { eos: '<eos>' },
      lowercase: true,
    });
    expect(tokenizer.toJSON().vocab).toEqual(['<unk>', '<eos>', 'the', 'cat', 'and', 'dog']);
    expect(tokenizer.encode('The bird and THE cat')).toEqual([2, 0, 4, 2, 3]);
    expect(tokenizer.decode([2, 3, 1])).toBe('the cat <eos>');
    expect(tokenizer.specialTokens).toEqual({ unknown: 0, eos: 1 });
  });

  it('drops rare words with minCount and caps the size with maxVocabSize', () => {
    const texts = ['a a a b b c'];
    expect(WordTokenizer.fromTexts(texts, { minCount: 2 }).toJSON().vocab).toEqual(['a', 'b']);
    expect(WordTokenizer.fromTexts(texts, { maxVocabSize: 2, unknown: '<unk>' }).toJSON().vocab).toEqual([
      '<unk>',
      'a',
    ]);
    expect(() => WordTokenizer.fromTexts(texts, { minCount: 0 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /minCount/,
    );
  });

  it('builds a Moby Dick vocabulary and encodes the book', () => {
    const tokenizer = WordTokenizer.fromTexts([mobyDick], { lowercase: true });
    expect(tokenizer.tokens(tokenizer.encode('Call me Ishmael.'))).toEqual(['call', 'me', 'ishmael', '.']);
    expect(tokenizer.toJSON().vocab.slice(0, 3)).toEqual([',', 'the', '.']);
  });
});

describe('tdhook-tokenizer.json', () => {
  it('saves and loads char and word tokenizers', async () => {
    for (const tokenizer of [
      CharTokenizer.fromText('abc', { unknown: '<unk>' }),
      WordTokenizer.fromTexts(['John gave Mary a drink'], { lowercase: true, special: { pad: '<pad>' } }),
    ]) {
      const folder = join(scratch, tokenizer.kind);
      await saveTokenizer(tokenizer, folder);
      expect(JSON.parse(readFileSync(join(folder, tdhookTokenizerFileName), 'utf8'))).toEqual(
        tokenizer.toJSON(),
      );
      const again = await loadTokenizer(folder);
      expect(again.kind).toBe(tokenizer.kind);
      expect(again.kind === 'gpt2' ? undefined : again.toJSON()).toEqual(tokenizer.toJSON());
      expect(again.specialTokens).toEqual(tokenizer.specialTokens);
    }
  });

  it('checks the file: kind, vocab, unknown, special', () => {
    const good = { kind: 'char', vocab: ['a', 'b'], unknown: null, lowercase: false };
    expect(CharTokenizer.fromJSON(good).encode('ba')).toEqual([1, 0]);
    expect(() => WordTokenizer.fromJSON(good)).toThrowTdhookError(
      'E_TOKENIZER_MODEL',
      /char tokenizer, not a word/,
    );
    expect(() => CharTokenizer.fromJSON({ ...good, kind: 'bpe' })).toThrowTdhookError(
      'E_TOKENIZER_MODEL',
      /"bpe"/,
    );
    expect(() => CharTokenizer.fromJSON({ ...good, vocab: ['a', 'a'] })).toThrowTdhookError(
      'E_TOKENIZER_FORMAT',
      /vocab\[1\].*twice|twice.*vocab\[1\]/,
    );
    expect(() => CharTokenizer.fromJSON({ ...good, unknown: '<unk>' })).toThrowTdhookError(
      'E_TOKENIZER_FORMAT',
      /unknown/,
    );
    expect(() => CharTokenizer.fromJSON({ ...good, lowercase: 'no' })).toThrowTdhookError(
      'E_TOKENIZER_FORMAT',
      /lowercase/,
    );
    expect(() => CharTokenizer.fromJSON({ ...good, special: { pad: 'z' } })).toThrowTdhookError(
      'E_TOKENIZER_FORMAT',
      /special.pad/,
    );
  });
});
