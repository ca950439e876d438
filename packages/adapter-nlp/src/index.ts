// @tdhook/adapter-nlp: hookable GPT-2-architecture transformers, checkpoints, tokenizers, generation, token
// attribution and text views.
export {
  gpt2WeightSpecs,
  resolveTransformerConfig,
  type ActivationFunction,
  type Gpt2WeightSpec,
  type ResolvedTransformerConfig,
  type TransformerConfig,
} from './model/config.js';
export { activationModule, geluExact, geluNew } from './model/activations.js';
export { Attention } from './model/attention.js';
export { Conv1D, type Conv1DParameters } from './model/conv1d.js';
export { Embed } from './model/embed.js';
export { HookPoint } from './model/hook-point.js';
export {
  HookedTransformer,
  type CreateTransformerOptions,
  type ForwardWithCacheResult,
} from './model/hooked-transformer.js';
export { KeyValueCache } from './model/key-value-cache.js';
export { KeyValueSlot, type LayerKeyValues } from './model/key-value-slot.js';
export { LayerNorm } from './model/layer-norm.js';
export { Mlp } from './model/mlp.js';
export type { ParameterSource } from './model/parameter-source.js';
export { PosEmbed } from './model/pos-embed.js';
export { ResidualAdd } from './model/residual-add.js';
export { TransformerBlock } from './model/transformer-block.js';
export { Unembed } from './model/unembed.js';
export {
  runWithCache,
  type RunWithCacheBackward,
  type RunWithCacheOptions,
  type RunWithCacheResult,
} from './run-with-cache/run-with-cache.js';
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
export {
  CheckpointError,
  type CheckpointErrorCode,
  type CheckpointErrorInit,
} from './checkpoint/checkpoint-error.js';
export type { SafetensorsDtype } from '@tdhook/core/plugin';
export {
  readSafetensors,
  type ReadSafetensorsOptions,
  type SafetensorsContents,
  type SafetensorsTensor,
} from './checkpoint/safetensors-read.js';
export {
  writeSafetensors,
  type SafetensorsTensorInput,
  type WriteSafetensorsOptions,
} from './checkpoint/safetensors-write.js';
export {
  loadGpt2Checkpoint,
  type LoadGpt2CheckpointOptions,
  type LoadedGpt2Checkpoint,
} from './checkpoint/load-gpt2-checkpoint.js';
export { saveGpt2Checkpoint } from './checkpoint/save-gpt2-checkpoint.js';
export type { SaveGpt2CheckpointOptions, SavedGpt2Checkpoint } from './checkpoint/write-gpt2-checkpoint.js';
export type { UnexpectedTensors } from './checkpoint/gpt2-weight-match.js';
export {
  ansiColorSupport,
  attentionPatternPng,
  attributionAnsi,
  attributionHtml,
  escapeHtml,
  TextViewError,
  tokenLabel,
  type AnsiColorMode,
  type AnsiViewOptions,
  type AttentionPattern,
  type AttentionPngOptions,
  type AttributedText,
  type ColorScale,
  type HtmlViewOptions,
} from './views/index.js';
export {
  attributeTokens,
  isFusedQkvProjection,
  LogitsFromEmbeddings,
  TextAttributionError,
  tokenAttributionMethods,
  transformerLrpComposite,
  type TokenAttribution,
  type TokenAttributionMethod,
  type TokenAttributionOptions,
  type TokenTarget,
} from './attribution/index.js';
export { generate, type GenerationResult } from './generation/generate.js';
export type {
  GenerateOptions,
  GenerationStep,
  GenerationStrategy,
  GreedyStrategy,
  SampledStrategy,
} from './generation/generation-options.js';
