export {
  attributeTokens,
  tokenAttributionMethods,
  type TokenAttribution,
  type TokenAttributionMethod,
  type TokenAttributionOptions,
} from './attribute-tokens.js';
export { LogitsFromEmbeddings } from './logits-from-embeddings.js';
export { TextAttributionError } from './text-attribution-error.js';
export type { TokenTarget } from './token-target.js';
export { isFusedQkvProjection, transformerLrpComposite } from './transformer-lrp.js';
