// @tdhook/core: what a user of tdhook needs: keys and TensorDicts, models as code, hooks, sessions, errors,
// and the methods, registries and Workflows that run on them. What only method, adapter and plugin authors
// need (the method contract, plan checks, helpers) is in `@tdhook/core/plugin` (src/plugin.ts).
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
export { formatKey, toKeyPath, type Key, type KeyPath } from './keys.js';
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
export { formatModulePath } from './paths/module-path-format.js';
export { modulePathToName } from './paths/module-path-name.js';
export { parseModulePath } from './paths/module-path-parser.js';
export type { ModulePathSegment, ParsedModulePath } from './paths/module-path-types.js';
export { Lambda, ModuleDict, ModuleList, Sequential } from './modules/containers.js';
export { KeyedModule } from './modules/keyed-module.js';
export type { LayersLike } from './modules/layers-like.js';
export type { ModelNode } from './modules/model-node.js';
export { Module, type AnyModule } from './modules/module.js';
export { namedModules, resolveModule } from './modules/resolve-module.js';
export { applyParameters, withParameters } from './parameters/apply-parameters.js';
export { listParameters } from './parameters/list-parameters.js';
export type { ParameterInfo, ParameterListOptions } from './parameters/parameter-info.js';
export { parameterKey } from './parameters/parameter-key.js';
export { readParameters } from './parameters/read-parameters.js';
export { writeParameters } from './parameters/write-parameters.js';
export { EarlyStop, runStoppable, type StoppableResult } from './hooks/early-stop.js';
export { HookHandle } from './hooks/hook-handle.js';
export type {
  AnyHook,
  ForwardHook,
  ForwardPreHook,
  GradientHook,
  GradientHookContext,
  HookByDirection,
  HookContext,
  HookDirection,
} from './hooks/hook-types.js';
export { registerHook, stopAfter, type RegisterHookOptions } from './hooks/register-hook.js';
export { registerMatchingHooks, type MatchingHooksOptions } from './hooks/register-matching-hooks.js';
export type {
  AnyMethodFactory,
  Method,
  MethodDescribeOptions,
  MethodFactory,
  MethodLike,
} from './methods/define-method.js';
export type { JsonObject, JsonValue } from './methods/describe-value.js';
export type { ExecutionRequirements, GradientMode } from './methods/execution.js';
export type { HookSpec } from './methods/hook-spec.js';
export { KeyedModel, resolveModelKeys, type KeyMapping, type ModelKeys } from './methods/keyed-model.js';
export type { MethodPlan } from './methods/method-definition.js';
export { createMethodRegistry, type MethodListing, type MethodRegistry } from './methods/method-registry.js';
export { defineOperator, type OperatorDefinition, type TensorDictOperator } from './methods/operator.js';
export { PreparedModel } from './methods/prepared-model.js';
export {
  Workflow,
  type WorkflowDescribeOptions,
  type WorkflowOptions,
  type WorkflowResult,
} from './methods/workflow.js';
export type { PreparedWorkflow } from './methods/prepared-workflow.js';
export type {
  CompatibilityDecision,
  PlannedExecution,
  WorkflowPlan,
  WorkflowStep,
  WorkflowUpdate,
} from './methods/workflow-plan.js';
export { Captured } from './session/captured.js';
export { HookSession, openSession } from './session/hook-session.js';
export type { ReplacementValue, TargetUnits } from './session/selection.js';
export type { SessionOperation } from './session/session-operation.js';
export type { Target, TargetJSON, TargetKind } from './session/target.js';
