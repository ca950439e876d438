// @tdhook/adapter-nlp: hookable GPT-2-architecture transformers, checkpoints, tokenizers, generation, token
// attribution and text views.
export {
  gpt2WeightSpecs,
  type ActivationFunction,
  type Gpt2WeightSpec,
  type ResolvedTransformerConfig,
  type TransformerConfig,
} from './model/config.js';
export * from './views/index.js';
