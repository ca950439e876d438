export { activationNorms, type ActivationNormsOptions } from './activation-norms.js';
export { inputTimesGradient, type InputTimesGradientOptions } from './input-times-gradient.js';
