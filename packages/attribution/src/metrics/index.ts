export { infidelity, type InfidelityOptions } from './infidelity.js';
export { sensitivity, type SensitivityOptions } from './sensitivity.js';
