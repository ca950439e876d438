export { describeMachine } from './machine.js';
export type { Comparison, Machine, Measurement, SuiteResult } from './measurement.js';
export { runSuite, type RunSuiteOptions } from './run-suite.js';
export {
  defineScenario,
  type AnyScenario,
  type Params,
  type ParamValue,
  type PreparedVariant,
  type RunResult,
  type Repetitions,
  type Scenario,
  type Suite,
  type VariantSetup,
} from './scenario.js';
export { summarise, type Spread } from './stats.js';
export { formatMarkdown, type MarkdownOptions } from './report/markdown.js';
export { formatFootprintMarkdown } from './report/footprint-markdown.js';
export { barChartSvg, speedupHeatmapSvg, type ChartMetric } from './report/svg-charts.js';
export { writeReports, type ReportOptions, type WrittenReports } from './report/write-reports.js';
export { measureFootprint, type FootprintOptions } from './footprint/measure-footprint.js';
export type {
  Footprint,
  InstallSetFootprint,
  PackageFootprint,
  ReferenceFootprint,
} from './footprint/types.js';
export { activationCaching, type ActivationCachingParams } from './scenarios/activation-caching.js';
export { backendKernels, type BackendKernelsParams } from './scenarios/backend-kernels.js';
export { interventionChains, type InterventionChainParams } from './scenarios/intervention-chains.js';
export { patchingGrid, type PatchingGridParams } from './scenarios/patching-grid.js';
export { saeTraining, type SaeTrainingParams } from './scenarios/sae-training.js';
export {
  attributionPatchingScenario,
  type AttributionPatchingParams,
} from './scenarios/patching-attribution.js';
export {
  buildTransformer,
  plainTransformerForward,
  tokenIds,
  type TransformerConfig,
} from './scenarios/transformer.js';
export {
  igMultiTarget,
  paperIgGrid,
  plainIntegratedGradients,
  type IgTargetsParams,
} from './scenarios/ig-targets.js';
export { plainMlpForward, ReluMlp, type ReluMlpShape } from './scenarios/relu-mlp.js';
export { lrpEpsilonPlus, plainCnnLrp, plainEpsilonLrp, type LrpParams } from './scenarios/lrp-epsilon.js';
export { Conv, SmallCnn } from './scenarios/small-cnn.js';
export { weightsApply, type WeightsApplyParams } from './scenarios/weights-apply.js';
export { rlRolloutHooks, type RlRolloutHooksParams } from './scenarios/rl-rollout-hooks.js';
export { rlRolloutWorkflow, type RlRolloutWorkflowParams } from './scenarios/rl-rollout-workflow.js';
