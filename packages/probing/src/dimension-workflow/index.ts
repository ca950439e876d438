export {
  activationSamples,
  type ActivationSamplesOptions,
  type SampleTransform,
} from './activation-samples.js';
export {
  channelConditionedSamples,
  spatialConditionedSamples,
  type ConditionedSamplesOptions,
} from './conditioned-samples.js';
export {
  conditionedDimensionWorkflow,
  type ConditionedDimensionWorkflowOptions,
} from './conditioned-dimension-workflow.js';
export {
  dimensionEstimation,
  type DimensionEstimationOptions,
  type DimensionEstimator,
} from './dimension-estimation.js';
export { dimensionSummary, type DimensionSummaryOptions } from './dimension-summary.js';
export { getShapeNeutralTensor, ShapeNeutralTensor } from './shape-neutral-tensor.js';
