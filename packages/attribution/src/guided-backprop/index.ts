export { guidedBackprop, type GuidedBackpropOptions } from './guided-backprop.js';
