import { PlanError } from '../errors.js';
import { formatKey, keysEqual, keyStartsWith, type KeyPath } from '../keys.js';
import type { ModelNode } from '../modules/model-node.js';
import type { MethodLike } from './define-method.js';
import type { GradientMode } from './execution.js';
import { isReadOnlyProgram } from './hook-spec.js';
import type { ModelKeys } from './keyed-model.js';
import type { MethodPlan } from './method-definition.js';
import type { TensorDictOperator } from './operator.js';

/**
 * A workflow step that may overwrite outputs earlier steps own (the later value wins).
 *
 * @example
 * const overwrite: WorkflowUpdate = { update: activationNorms({ paths: ['fc1'] }) };
 * new Workflow([activationNorms({ paths: ['fc1'] }), overwrite]); // the second writes ['norms', 'fc1'] again
 */
export interface WorkflowUpdate {
  readonly update: MethodLike | TensorDictOperator;
}

/**
 * A step of a workflow: a configured method, a TensorDict operator, or an explicit update.
 *
 * @example
 * const steps: WorkflowStep[] = [activationNorms({ paths: ['fc1'] }), meanAttribution, { update: saliency({}) }];
 * const workflow = new Workflow(steps);
 */
export type WorkflowStep = MethodLike | TensorDictOperator | WorkflowUpdate;

/**
 * One execution of the plan: a single step, or several read-only methods sharing one model pass.
 *
 * @example
 * const executions: readonly PlannedExecution[] = workflow.plan(model, data).executions;
 * executions[0]; // { steps: ['0:acme/activation-norms', '1:acme/activation-norms'], modelPasses: 1, coexecuted: true, … }
 */
export interface PlannedExecution {
  /** `index:id` of each step, e.g. `['0:acme/activation-norms', '1:acme/activation-norms']`. */
  readonly steps: readonly string[];
  readonly kind: 'method' | 'operator';
  readonly inKeys: readonly KeyPath[];
  readonly outKeys: readonly KeyPath[];
  readonly modelPasses: number;
  readonly gradients: GradientMode | null;
  readonly coexecuted: boolean;
}

/**
 * Why a method did or did not join the model pass of the methods before it.
 *
 * @example
 * const decisions: readonly CompatibilityDecision[] = workflow.plan(model, data).decisions;
 * for (const decision of decisions)
 *   console.log(decision.candidate, decision.compatible ? 'shares the pass' : `new pass: ${decision.reason}`);
 */
export interface CompatibilityDecision {
  readonly existing: readonly string[];
  readonly candidate: string;
  readonly compatible: boolean;
  readonly reason: string;
}

/**
 * A checked plan: the executions in order, the model passes they cost, and the grouping decisions.
 *
 * @example
 * const plan: WorkflowPlan = workflow.plan(model, data);
 * plan.modelPasses; // 1: both capture methods share one pass
 * plan.executions.length; // 1
 */
export interface WorkflowPlan {
  readonly executions: readonly PlannedExecution[];
  readonly modelPasses: number;
  readonly decisions: readonly CompatibilityDecision[];
}

/** A step with everything planning needs. */
export interface ResolvedStep {
  readonly label: string;
  readonly index: number;
  readonly step: MethodLike | TensorDictOperator;
  readonly update: boolean;
  /** Undefined for operators. */
  readonly plan: MethodPlan | undefined;
}

const isUpdate = (step: WorkflowStep): step is WorkflowUpdate => 'update' in step;
const isOperator = (step: MethodLike | TensorDictOperator): step is TensorDictOperator => 'kind' in step;

/** Resolves the steps' plans against the model keys, and against the model itself when there is one. */
export function resolveSteps(
  steps: readonly WorkflowStep[],
  keys: ModelKeys,
  model?: ModelNode,
): ResolvedStep[] {
  return steps.map((raw, index) => {
    const update = isUpdate(raw);
    const step = update ? raw.update : raw;
    const label = `${index}:${isOperator(step) ? step.name : step.id}`;
    return { label, index, step, update, plan: isOperator(step) ? undefined : step.plan(keys, model) };
  });
}

const overlaps = (a: KeyPath, b: KeyPath): boolean => keyStartsWith(a, b) || keyStartsWith(b, a);
const list = (keys: readonly KeyPath[]): string => keys.map((key) => formatKey(key)).join(', ');

/** Keys without repeats, first occurrence kept. */
export function distinctKeys(keys: readonly KeyPath[]): KeyPath[] {
  const distinct: KeyPath[] = [];
  for (const key of keys) if (!distinct.some((seen) => keysEqual(seen, key))) distinct.push(key);
  return distinct;
}

/**
 * The outputs a step owns: an operator's outKeys, or a method's outKeys minus the model's outputs. Every
 * method that runs the model may publish its outputs, so they belong to no step (as in the original).
 */
export function ownedOutputs(step: ResolvedStep, modelOutKeys: readonly KeyPath[]): readonly KeyPath[] {
  if (step.plan === undefined) return (step.step as TensorDictOperator).outKeys;
  return step.plan.outKeys.filter((key) => !modelOutKeys.some((model) => keysEqual(model, key)));
}

function compatibility(
  group: readonly ResolvedStep[],
  candidate: ResolvedStep,
  sharePasses: boolean,
): string | undefined {
  const method = candidate.step as MethodLike;
  const plan = candidate.plan;
  if (plan === undefined) return 'operators run no model';
  if (!sharePasses) return 'shared passes are turned off for this workflow (sharePasses: false)';
  if (method.requirements.modelPasses !== 1) return 'co-execution needs exactly one model pass per method';
  if (!isReadOnlyProgram(plan.hooks)) {
    return plan.hooks.length === 0
      ? 'an empty hook program has nothing to share'
      : 'only read-only capture programs can share a model pass';
  }
  const groupWrites = group.flatMap((other) => other.plan?.outKeys ?? []);
  if (plan.inKeys.some((key) => groupWrites.some((written) => overlaps(key, written)))) {
    return 'it reads what a method earlier in the pass writes';
  }
  for (const other of group) {
    const otherMethod = other.step as MethodLike;
    // The group's first member too (the others were checked as candidates): a shared pass runs the model once.
    if (otherMethod.requirements.modelPasses !== 1)
      return 'co-execution needs exactly one model pass per method';
    if (otherMethod.requirements.gradients !== method.requirements.gradients)
      return 'the methods have different gradient modes';
    if (other.plan === undefined || !isReadOnlyProgram(other.plan.hooks))
      return 'only read-only capture programs can share a model pass';
  }
  // A gradient method captures read-only too, but it differentiates through its own pass: its plan does not
  // declare collects, and core holds every runner to its plan's word at bind.
  const cannot = [...group, candidate].find((step) => step.plan?.collects !== true);
  if (cannot !== undefined) {
    return `${cannot.label} cannot collect from a pass another method runs (its plan does not declare collects: true)`;
  }
  return undefined;
}

/**
 * Checks a workflow before anything runs: every step's inputs exist in the data or are written by an
 * earlier step (or lie under a namespace one writes), no step overwrites outputs another step owns unless
 * wrapped in `{ update }` (the model's outputs are owned by none: every method may publish them), methods
 * with backward hooks declare gradients 'required'; then groups consecutive read-only capture methods whose
 * runners can collect into shared model passes.
 */
export function planWorkflow(
  steps: readonly ResolvedStep[],
  dataKeys: readonly KeyPath[],
  modelOutKeys: readonly KeyPath[],
  sharePasses: boolean,
): WorkflowPlan {
  const available: KeyPath[] = [...dataKeys];
  const owned: { key: KeyPath; label: string }[] = [];
  for (const resolved of steps) {
    const reads = resolved.plan?.inKeys ?? (resolved.step as TensorDictOperator).inKeys;
    const writes = resolved.plan?.outKeys ?? (resolved.step as TensorDictOperator).outKeys;
    const missing = reads.filter((key) => !available.some((have) => keyStartsWith(key, have)));
    if (missing.length > 0) {
      throw new PlanError({
        what: `Step ${resolved.label} requires missing TensorDict keys ${list(missing)}`,
        where: 'workflow plan',
        fix: `Provide them in the data or add a step that writes them first. Available: ${list(available.slice(0, 12)) || 'none'}.`,
      });
    }
    if (resolved.plan !== undefined) {
      const backward = resolved.plan.hooks.filter(
        (spec) => spec.direction === 'backward' || spec.direction === 'backward-pre',
      );
      if (backward.length > 0 && (resolved.step as MethodLike).requirements.gradients !== 'required') {
        throw new PlanError({
          what: `Step ${resolved.label} installs backward hooks but declares gradients '${(resolved.step as MethodLike).requirements.gradients}'`,
          where: 'workflow plan',
          fix: "Methods with backward hooks must declare gradients: 'required'.",
        });
      }
    }
    const owns = ownedOutputs(resolved, modelOutKeys);
    for (const key of owns) {
      const clash = owned.find((earlier) => overlaps(earlier.key, key));
      if (clash !== undefined && !resolved.update) {
        throw new PlanError({
          what: `Step ${resolved.label} writes ${formatKey(key)}, which overlaps ${formatKey(clash.key)} owned by step ${clash.label}`,
          where: 'workflow plan',
          fix: 'Write under another key (e.g. attributionKey: ...), or wrap the step in { update: step } to overwrite on purpose.',
        });
      }
    }
    for (const key of owns) owned.push({ key, label: resolved.label });
    const written = [...writes, ...(resolved.plan === undefined ? [] : modelOutKeys)];
    for (const key of written) if (!available.some((have) => keysEqual(have, key))) available.push(key);
  }

  const executions: PlannedExecution[] = [];
  const decisions: CompatibilityDecision[] = [];
  let group: ResolvedStep[] = [];
  const flush = (): void => {
    const first = group[0];
    if (first === undefined) return;
    const plans = group.map((step) => step.plan).filter((plan): plan is MethodPlan => plan !== undefined);
    const method = first.step;
    const operator = isOperator(method);
    executions.push({
      steps: group.map((step) => step.label),
      kind: operator ? 'operator' : 'method',
      inKeys: operator ? method.inKeys : distinctKeys(plans.flatMap((plan) => plan.inKeys)),
      outKeys: operator ? method.outKeys : distinctKeys(plans.flatMap((plan) => plan.outKeys)),
      modelPasses: operator ? 0 : method.requirements.modelPasses,
      gradients: operator ? null : method.requirements.gradients,
      coexecuted: group.length > 1,
    });
    group = [];
  };
  for (const resolved of steps) {
    if (resolved.plan === undefined) {
      flush();
      group = [resolved];
      flush();
      continue;
    }
    if (group.length > 0) {
      const reason = compatibility(group, resolved, sharePasses);
      decisions.push({
        existing: group.map((step) => step.label),
        candidate: resolved.label,
        compatible: reason === undefined,
        reason: reason ?? 'bound read-only capture programs are compatible',
      });
      if (reason !== undefined) flush();
    }
    group.push(resolved);
  }
  flush();
  return {
    executions,
    modelPasses: executions.reduce((total, execution) => total + execution.modelPasses, 0),
    decisions,
  };
}
