// @tdhook/core/plugin: what method, adapter and plugin authors need beyond the main entry: the method
// contract (defineMethod and the types a definition implements), the checks core runs on definitions and
// plans, and the helpers tdhook's own method packages are built on. Users of methods import from
// `@tdhook/core`. See docs/writing-a-method-plugin.md.

// The method contract
export { checkDefinition, defineMethod, type MethodDefinitionInfo } from './methods/define-method.js';
export {
  methodContract,
  type BindContext,
  type MethodConfigure,
  type MethodDefinition,
  type MethodDefinitionParts,
  type MethodModelInfo,
  type MethodRunner,
  type WithDefaults,
} from './methods/method-definition.js';
export { captureRunner } from './methods/capture-runner.js';
export { checkOptionNames } from './methods/option-names.js';

// Checks of definitions, plans and their descriptions
export { checkHookSpec, isPatternSpec, patternPath } from './methods/hook-spec.js';
export { checkRequirements, defaultRequirements } from './methods/execution.js';
export { describeValue, type Describable, type DescribeOptions } from './methods/describe-value.js';

// Keys
export { appendKeySuffix, isKey, joinKeys, keyId, keysEqual, keyStartsWith } from './keys.js';

// Values and models
export { isPlainObject, isTensor } from './value-guards.js';
export { seededRandom } from './random/seeded-random.js';
export { isTensorDict } from './tensordict/brand.js';
export { isLayersLike } from './modules/layers-like.js';
export { childrenOf, containerKindOf, describeNode, isModelNode } from './modules/model-node.js';
export { modelTree } from './modules/resolve-module.js';
export { resolveModulePath, type ModuleTreeNode } from './paths/module-path-resolver.js';

// Parameters: the live variables (the main entry's bridge hands out copies)
export { parameterVariables } from './parameters/parameter-variables.js';

// Hooks and gradients
export { hookCounts } from './hooks/hook-state.js';
export { describeStructure, mapTensorLeaves, tensorLeaves } from './hooks/tensor-leaves.js';
export { withGradientCleanup } from './hooks/gradient-cleanup.js';

// Targets and units
export { describeTarget, normalizeTarget } from './session/target.js';
export { targetFromJSON, targetToJSON } from './session/target-json.js';
export { validateTarget } from './session/validate-target.js';
export { checkUnits, replaceUnits, selectUnits } from './session/selection.js';

// Safetensors: the byte codec (no file system), shared by checkpoint loaders and activation caches
export {
  isSafetensorsDtype,
  isSafetensorsFloatDtype,
  safetensorsDtypeBytes,
  type SafetensorsDtype,
} from './io/safetensors-dtype.js';
export {
  SafetensorsError,
  type SafetensorsErrorCode,
  type SafetensorsErrorInit,
} from './io/safetensors-error.js';
export {
  readSafetensors,
  type ReadSafetensorsOptions,
  type SafetensorsContents,
  type SafetensorsTensor,
} from './io/safetensors-read.js';
export {
  writeSafetensors,
  type SafetensorsTensorInput,
  type WriteSafetensorsOptions,
} from './io/safetensors-write.js';
