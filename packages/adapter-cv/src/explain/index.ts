export { explainImages, visionMethodId, visionMethodNames } from './explain-images.js';
export { explainDefaults } from './explain-options.js';
export type {
  ExplainOptions,
  Explanation,
  MethodDisplay,
  VisionMethodName,
  VisionModel,
} from './explain-options.js';
export { methodDisplay, renderExplanation } from './render-explanation.js';
export { visionMethodRegistry } from './vision-method-registry.js';
