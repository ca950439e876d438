// @tdhook/adapter-nlp: hookable GPT-2-architecture transformers, checkpoints, tokenizers, generation, token
// attribution and text views.
export {
  gpt2WeightSpecs,
  type ActivationFunction,
  type Gpt2WeightSpec,
  type ResolvedTransformerConfig,
  type TransformerConfig,
} from './model/config.js';
export {
  CharTokenizer,
  Gpt2Tokenizer,
  loadTokenizer,
  saveTokenizer,
  tdhookTokenizerFileName,
  TokenizerError,
  WordTokenizer,
  wordPattern,
  type CharTokenizerOptions,
  type Gpt2TokenizerFiles,
  type Gpt2TokenizerOptions,
  type LoadedTokenizer,
  type SpecialTokens,
  type SpecialTokenStrings,
  type TdhookTokenizerFile,
  type TokenEncoding,
  type TokenizerErrorCode,
  type Tokenizer,
  type TokenOffset,
  type VocabularyOptions,
  type WordTokenizerOptions,
} from './tokenizers/index.js';
