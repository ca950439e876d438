export {
  guidedBackprop,
  type ConfiguredGuidedBackpropOptions,
  type GuidedBackpropOptions,
} from './guided-backprop.js';
