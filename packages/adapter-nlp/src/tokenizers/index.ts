// Tokenizers: the common interface, char/word tokenizers trained here, GPT-2 byte-level BPE, and folder I/O.
export { CharTokenizer, type CharTokenizerOptions } from './char-tokenizer.js';
export { Gpt2Tokenizer, type Gpt2TokenizerFiles, type Gpt2TokenizerOptions } from './gpt2-tokenizer.js';
export { loadTokenizer, type LoadedTokenizer } from './load-tokenizer.js';
export { saveTokenizer } from './save-tokenizer.js';
export { tdhookTokenizerFileName, type TdhookTokenizerFile } from './tdhook-tokenizer-file.js';
export type {
  SpecialTokens,
  SpecialTokenStrings,
  TokenEncoding,
  TokenOffset,
  Tokenizer,
} from './tokenizer.js';
export { TokenizerError, type TokenizerErrorCode } from './tokenizer-error.js';
export type { VocabularyOptions } from './token-vocabulary.js';
export { WordTokenizer, type WordTokenizerOptions } from './word-tokenizer.js';
export { wordPattern } from './word-split.js';
