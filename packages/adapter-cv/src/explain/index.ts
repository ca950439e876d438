export {
  explainImages,
  visionMethodNames,
  type ExplainOptions,
  type Explanation,
  type VisionMethodName,
} from './explain-images.js';
export { methodDisplay, renderExplanation } from './render-explanation.js';
