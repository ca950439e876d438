export { pixelFlipping } from './pixel-flipping.js';
export { randomAttribution } from './random-attribution.js';
export type {
  PatchRelevanceReduction,
  FlipOrder,
  PixelFlippingBaseline,
  PixelFlippingOptions,
  PixelFlippingResult,
} from './pixel-flipping-types.js';
