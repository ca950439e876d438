export { activationNorms, type ActivationNormsOptions } from './activation-norms.js';
