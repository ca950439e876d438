import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import { CharTokenizer, loadTokenizer, saveTokenizer } from '../src/index.js';
import { gpt2Vocab, writeTokenizerJson, writeVocabAndMerges } from './tokenizers-fixtures.js';

let scratch = '';
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'tdhook-tokenizers-'));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

async function expectLoadError(folder: string, code: string, pattern: RegExp): Promise<void> {
  const error = await caught(loadTokenizer(folder));
  expect(() => {
    throw error;
  }).toThrowTdhookError(code, pattern);
}

describe('loadTokenizer', () => {
  it('prefers tdhook-tokenizer.json, then tokenizer.json, then vocab.json + merges.txt', async () => {
    const folder = writeTokenizerJson(writeVocabAndMerges(join(scratch, 'all')));
    expect((await loadTokenizer(folder)).kind).toBe('gpt2');
    await saveTokenizer(CharTokenizer.fromText('abc'), folder);
    expect((await loadTokenizer(folder)).kind).toBe('char');
  });

  it('reads special roles from special_tokens_map.json', async () => {
    const folder = writeVocabAndMerges(join(scratch, 'special'));
    writeFileSync(
      join(folder, 'special_tokens_map.json'),
      JSON.stringify({
        eos_token: { content: '<|endoftext|>' },
        pad_token: '<|endoftext|>',
        unk_token: '<|endoftext|>',
      }),
    );
    expect((await loadTokenizer(folder)).specialTokens).toEqual({ eos: 50256, pad: 50256 });
    writeFileSync(join(folder, 'special_tokens_map.json'), JSON.stringify({ pad_token: '<pad>' }));
    await expectLoadError(
      folder,
      'E_TOKENIZER_TOKEN',
      /"<pad>" is not in the vocabulary.*special \(special.pad\)/,
    );
  });

  it('names a missing folder, a file given as folder, and a folder without a tokenizer', async () => {
    await expectLoadError(join(scratch, 'nope'), 'E_TOKENIZER_FILE', /does not exist.*nope/);
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'x');
    await expectLoadError(file, 'E_TOKENIZER_FILE', /a file, not a folder/);
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    await expectLoadError(empty, 'E_TOKENIZER_FILE', /holds no tokenizer.*tokenizer\.json/);
    const half = join(scratch, 'half');
    mkdirSync(half);
    writeFileSync(join(half, 'vocab.json'), JSON.stringify(gpt2Vocab));
    await expectLoadError(half, 'E_TOKENIZER_FILE', /vocab.json but no merges.txt/);
  });

  it('names the file and entry of malformed content, with the folder in the path', async () => {
    const badJson = join(scratch, 'bad-json');
    mkdirSync(badJson);
    writeFileSync(join(badJson, 'tokenizer.json'), '{"model": ');
    await expectLoadError(badJson, 'E_TOKENIZER_FORMAT', /tokenizer.json is not valid JSON/);
    const wordPiece = writeTokenizerJson(join(scratch, 'word-piece'), (json) => {
      (json['model'] as Record<string, unknown>)['type'] = 'WordPiece';
    });
    await expectLoadError(
      wordPiece,
      'E_TOKENIZER_MODEL',
      new RegExp(`WordPiece.*${join(wordPiece, 'tokenizer.json')}`),
    );
    const badMerges = writeVocabAndMerges(join(scratch, 'bad-merges'));
    writeFileSync(join(badMerges, 'merges.txt'), '#version: 0.2\nĠ t\nĠ a b\n');
    await expectLoadError(badMerges, 'E_TOKENIZER_FORMAT', /bad-merges\/merges.txt, line 3/);
    const badKind = join(scratch, 'bad-kind');
    mkdirSync(badKind);
    writeFileSync(
      join(badKind, 'tdhook-tokenizer.json'),
      JSON.stringify({ kind: 'bpe', vocab: ['a'], unknown: null, lowercase: false }),
    );
    await expectLoadError(badKind, 'E_TOKENIZER_MODEL', /kind is "bpe"/);
  });
});
