export { CvError } from './errors.js';
export * from './io/index.js';
export * from './graph/index.js';
export {
  describeModel,
  formatModelInfo,
  lastFeatureMap,
  type ModelInfo,
  type ModuleInfo,
  type TensorSignature,
} from './model-info.js';
export * from './explain/index.js';
export * from './image/index.js';
export * from './evaluation/index.js';
export * from './render/index.js';
