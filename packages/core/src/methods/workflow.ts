import { InvalidValueError, PlanError } from '../errors.js';
import { formatKey, keyStartsWith, type KeyPath } from '../keys.js';
import type { ModelNode } from '../modules/model-node.js';
import type { TensorDict } from '../tensordict/tensor-dict.js';
import type { MethodLike } from './define-method.js';
import type { DescribeOptions, JsonValue } from './describe-value.js';
import { KeyedModel, type ModelKeys } from './keyed-model.js';
import type { TensorDictOperator } from './operator.js';
import type { PreparedModel } from './prepared-model.js';
import {
  planWorkflow,
  resolveSteps,
  type PlannedExecution,
  type ResolvedStep,
  type WorkflowPlan,
  type WorkflowStep,
} from './workflow-plan.js';

/**
 * What {@link Workflow.run} returns: the data with every step's outputs, and the plan that was executed.
 *
 * @example
 * const { data: result, plan }: WorkflowResult = workflow.run(model, data);
 * plan.modelPasses; // 1
 * result.dispose();
 */
export interface WorkflowResult {
  readonly data: TensorDict;
  readonly plan: WorkflowPlan;
}

/**
 * Several methods and TensorDict operators in one workflow, planned before anything runs: inputs checked,
 * output collisions rejected, and consecutive read-only capture methods run in one shared model pass.
 *
 * @example
 * const workflow = new Workflow([activationNorms({ paths: ['fc1'] }), activationNorms({ paths: ['fc2'], key: 'more' })]);
 * workflow.plan(model, data).modelPasses; // 1: both capture in the same pass
 * const { data: result, plan } = workflow.run(model, data);
 */
export class Workflow {
  readonly steps: readonly WorkflowStep[];
  readonly #keys: ModelKeys;

  constructor(steps: readonly WorkflowStep[], keys: ModelKeys = {}) {
    steps.forEach((step: unknown, index) => {
      if (!isWorkflowStep(step)) {
        throw new InvalidValueError({
          what: `Workflow step ${index} is neither a configured method nor an operator`,
          where: 'Workflow',
          fix: 'Pass methods (e.g. saliency({...})), defineOperator(...) results, or { update: step }.',
        });
      }
    });
    this.steps = Object.freeze([...steps]);
    this.#keys = keys;
  }

  /**
   * Plans the workflow for a model and the keys of `data` without running anything.
   *
   * @example
   * const plan = workflow.plan(model, data);
   */
  plan(model: ModelNode, data: TensorDict): WorkflowPlan {
    const keyed = new KeyedModel(model, this.#keys);
    return planWorkflow(
      resolveSteps(this.steps, this.#keys),
      data.keys({ leavesOnly: false }),
      keyed.outKeys,
    );
  }

  /**
   * Describes every step (as JSON) with its bound keys, without a model.
   *
   * @example
   * workflow.describe();
   */
  describe(options: DescribeOptions = {}): JsonValue {
    const steps: JsonValue[] = resolveSteps(this.steps, this.#keys).map((resolved) => ({
      step: resolved.label,
      update: resolved.update,
      ...(resolved.plan === undefined
        ? { operator: (resolved.step as TensorDictOperator).name }
        : { method: (resolved.step as MethodLike).describe({ ...options, keys: this.#keys }) }),
      inKeys: (resolved.plan?.inKeys ?? (resolved.step as TensorDictOperator).inKeys).map((key) => [...key]),
      outKeys: (resolved.plan?.outKeys ?? (resolved.step as TensorDictOperator).outKeys).map((key) => [
        ...key,
      ]),
    }));
    return steps;
  }

  /**
   * Plans, then runs every execution in order. Returns a new TensorDict (the caller owns it) with `data`'s
   * entries and every step's outputs; `data` is left as it was. Fails before any model call if the plan does.
   *
   * @example
   * const { data: result, plan } = workflow.run(model, data);
   * result.dispose();
   */
  run(model: ModelNode, data: TensorDict): WorkflowResult {
    const keyed = new KeyedModel(model, this.#keys);
    const resolved = resolveSteps(this.steps, this.#keys);
    const plan = planWorkflow(resolved, data.keys({ leavesOnly: false }), keyed.outKeys);
    const working = data.clone();
    try {
      for (const execution of plan.executions)
        this.#execute(execution, resolved, model, working, keyed.outKeys);
    } catch (error) {
      working.dispose();
      throw error;
    }
    return { data: working, plan };
  }

  #execute(
    execution: PlannedExecution,
    resolved: readonly ResolvedStep[],
    model: ModelNode,
    working: TensorDict,
    modelOutKeys: readonly KeyPath[],
  ): void {
    const available = working.keys({ leavesOnly: false });
    const missing = execution.inKeys.filter((key) => !available.some((have) => keyStartsWith(key, have)));
    if (missing.length > 0) {
      throw new PlanError({
        what: `Execution ${execution.steps.join(' + ')} needs ${missing.map((key) => formatKey(key)).join(', ')}, planned but missing at run time`,
        where: 'workflow run',
        fix: 'A step did not write a key its plan declares; check that step.',
      });
    }
    const steps = execution.steps
      .map((label) => resolved.find((step) => step.label === label))
      .filter((step): step is ResolvedStep => step !== undefined);
    if (execution.kind === 'operator') {
      const operator = steps[0]?.step as TensorDictOperator;
      const result = operator.run(working);
      try {
        copyKeys(result, working, operator.outKeys);
      } finally {
        result.dispose();
      }
      return;
    }
    const prepared: PreparedModel[] = [];
    try {
      for (const step of steps) prepared.push((step.step as MethodLike).prepare(model, this.#keys));
      const [first] = prepared;
      if (first === undefined) return;
      if (prepared.length === 1) {
        const result = first.run(working);
        try {
          copyKeys(result, working, [...modelOutKeys, ...(steps[0]?.plan?.outKeys ?? [])]);
        } finally {
          result.dispose();
        }
        return;
      }
      // One shared model pass, then each method publishes what its hooks captured.
      const pass = first.model.run(working);
      try {
        copyKeys(pass, working, modelOutKeys);
        prepared.forEach((method, index) => {
          const published = method.collect(pass);
          try {
            copyKeys(published, working, steps[index]?.plan?.outKeys ?? []);
          } finally {
            published.dispose();
          }
        });
      } finally {
        pass.dispose();
      }
    } finally {
      for (const method of prepared.reverse()) method.restore();
    }
  }
}

function isStepObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { kind?: unknown; prepare?: unknown };
  return candidate.kind === 'operator' || typeof candidate.prepare === 'function';
}

// Checked at run time too: workflows are often assembled from configuration in plain JavaScript.
function isWorkflowStep(value: unknown): boolean {
  if (typeof value === 'object' && value !== null && 'update' in value) return isStepObject(value.update);
  return isStepObject(value);
}

function copyKeys(from: TensorDict, to: TensorDict, keys: readonly KeyPath[]): void {
  for (const key of keys) {
    if (!from.has(key)) {
      throw new PlanError({
        what: `A step did not write ${formatKey(key)}, which its plan declares`,
        where: 'workflow run',
        fix: 'Fix the step so that run() returns every planned output.',
      });
    }
  }
  if (keys.length === 0) return;
  // select() and update() each take their own tensor handles, so `from` stays the caller's to dispose.
  const picked = from.select(...keys);
  try {
    to.update(picked);
  } finally {
    picked.dispose();
  }
}
