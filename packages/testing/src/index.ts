export {
  defaultTestBackends,
  parseTestBackends,
  testBackendVariable,
  useTestBackend,
  type TestBackend,
} from './backends.js';
export {
  compareCloseness,
  defaultTolerance,
  formatClosenessReport,
  type ClosenessReport,
  type Tolerance,
  type WorstElement,
} from './closeness.js';
export { createLeakGuard, expectNoTensorLeak, TensorLeakError, type LeakGuard } from './leak-guard.js';
export { toBeCloseToTensor, toThrowTdhookError } from './matchers.js';
export {
  findReferenceResult,
  type IgQuadrature,
  loadReferenceModel,
  loadReferenceResults,
  nchwToNhwc,
  referenceDirectory,
  type ReferenceModel,
  type ReferenceModelName,
  type ReferenceResult,
  type ReferenceResults,
} from './reference.js';
export { seededTensor } from './seeded-tensor.js';
export {
  flattenNested,
  readValues,
  tensorFromSpec,
  tensorsFromSpecs,
  type FlatValues,
  type NestedNumbers,
  type TensorSpec,
  type TensorValues,
} from './tensor-values.js';
export { referenceInput, referenceLayersModel, referenceWeights } from './reference-layers.js';
