export { type BaselineOptions, type BaselineSpec } from './baselines.js';
export { classTargets, type ClassTargetsOptions } from './class-targets.js';
export { convergenceDeltaKey } from './ig-runner.js';
export {
  integratedGradients,
  type ConfiguredIntegratedGradientsOptions,
  type IntegratedGradientsOptions,
} from './integrated-gradients.js';
export { integrationMethods, quadrature, type IntegrationMethod, type Quadrature } from './quadrature.js';
