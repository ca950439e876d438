export {
  ContextError,
  ContractError,
  DisposedError,
  HookError,
  InvalidKeyError,
  InvalidPathError,
  InvalidValueError,
  MissingKeyError,
  PlanError,
  ShapeMismatchError,
  TdhookError,
  UnknownPathError,
  type TdhookErrorCode,
  type TdhookErrorDetails,
  type TdhookErrorInit,
} from './errors.js';
export {
  appendKeySuffix,
  formatKey,
  isKey,
  joinKeys,
  keyId,
  keysEqual,
  keyStartsWith,
  toKeyPath,
  type Key,
  type KeyPath,
} from './keys.js';
export { isTensorDict } from './tensordict/brand.js';
export { NonTensor, nonTensor } from './tensordict/non-tensor.js';
export { TensorDict } from './tensordict/tensor-dict.js';
export type {
  ApplyFn,
  ApplyOptions,
  KeysOptions,
  SelectOptions,
  TensorDictEntries,
  TensorDictOptions,
} from './tensordict/tensor-dict-types.js';
export {
  formatModulePath,
  formatModulePathAttribute,
  formatModulePathSegment,
} from './paths/module-path-format.js';
export { quoteModulePathKey } from './paths/module-path-key-literal.js';
export { modulePathToName } from './paths/module-path-name.js';
export { parseModulePath } from './paths/module-path-parser.js';
export { resolveModulePath, type ModuleTreeNode } from './paths/module-path-resolver.js';
export type { ModulePathSegment, ParsedModulePath } from './paths/module-path-types.js';
export { Lambda, ModuleDict, ModuleList, Sequential } from './modules/containers.js';
export { isLayersLike, type LayersLike } from './modules/layers-like.js';
export {
  childrenOf,
  containerKindOf,
  describeNode,
  isModelNode,
  type ModelNode,
} from './modules/model-node.js';
export { Module, type AnyModule } from './modules/module.js';
export { modelTree, namedModules, resolveModule } from './modules/resolve-module.js';
export { EarlyStop, runStoppable, type StoppableResult } from './hooks/early-stop.js';
export { withGradientCleanup } from './hooks/gradient-cleanup.js';
export { HookHandle } from './hooks/hook-handle.js';
export { hookCounts } from './hooks/hook-state.js';
export {
  hookDirections,
  type AnyHook,
  type ForwardHook,
  type ForwardPreHook,
  type GradientHook,
  type GradientHookContext,
  type HookByDirection,
  type HookContext,
  type HookDirection,
} from './hooks/hook-types.js';
export { registerHook, stopAfter, type RegisterHookOptions } from './hooks/register-hook.js';
export { registerMatchingHooks, type MatchingHooksOptions } from './hooks/register-matching-hooks.js';
export { describeStructure, mapTensorLeaves, tensorLeaves } from './hooks/tensor-leaves.js';
export { isPlainObject, isTensor } from './value-guards.js';
export { captureRunner } from './methods/capture-runner.js';
export {
  checkDefinition,
  defineMethod,
  type AnyMethodFactory,
  type Method,
  type MethodDefinitionInfo,
  type MethodDescribeOptions,
  type MethodFactory,
  type MethodLike,
} from './methods/define-method.js';
export {
  describeValue,
  type Describable,
  type DescribeOptions,
  type JsonObject,
  type JsonValue,
} from './methods/describe-value.js';
export {
  checkRequirements,
  defaultRequirements,
  type ExecutionRequirements,
  type GradientMode,
} from './methods/execution.js';
export {
  checkHookSpec,
  isPatternSpec,
  isReadOnlyProgram,
  patternPath,
  sameHookSpec,
  type HookSpec,
} from './methods/hook-spec.js';
export { KeyedModel, type KeyMapping, type ModelKeys } from './methods/keyed-model.js';
export {
  methodContract,
  type BindContext,
  type MethodConfigure,
  type MethodDefinition,
  type MethodDefinitionParts,
  type WithDefaults,
  type MethodModelInfo,
  type MethodPlan,
  type MethodRunner,
} from './methods/method-definition.js';
export { createMethodRegistry, type MethodListing, type MethodRegistry } from './methods/method-registry.js';
export { defineOperator, type OperatorDefinition, type TensorDictOperator } from './methods/operator.js';
export { PreparedModel, type PreparedModelSource } from './methods/prepared-model.js';
export { Workflow, type WorkflowOptions, type WorkflowResult } from './methods/workflow.js';
export {
  type CompatibilityDecision,
  type PlannedExecution,
  type WorkflowPlan,
  type WorkflowStep,
  type WorkflowUpdate,
} from './methods/workflow-plan.js';
export { Captured } from './session/captured.js';
export { HookSession, openSession } from './session/hook-session.js';
export {
  checkUnits,
  replaceUnits,
  selectUnits,
  type ReplacementValue,
  type TargetUnits,
} from './session/selection.js';
export type { SessionOperation } from './session/session-operation.js';
export {
  describeTarget,
  normalizeTarget,
  type Target,
  type TargetJSON,
  type TargetKind,
} from './session/target.js';
export { targetFromJSON, targetToJSON } from './session/target-json.js';
export { validateTarget } from './session/validate-target.js';
