import { InvalidKeyError, InvalidValueError } from '../errors.js';
import { describeStructure } from '../hooks/tensor-leaves.js';
import type { KeyPath } from '../keys.js';
import type { ModelNode } from '../modules/model-node.js';
import { isTensorDict } from '../tensordict/brand.js';
import type { TensorDict } from '../tensordict/tensor-dict.js';
import type { MethodLike } from './define-method.js';
import type { DescribeOptions, JsonValue } from './describe-value.js';
import { KeyedModel, type ModelKeys } from './keyed-model.js';
import type { TensorDictOperator } from './operator.js';
import type { PreparedModel } from './prepared-model.js';
import { PreparedWorkflow } from './prepared-workflow.js';
import {
  checkExecutionInputs,
  executionSteps,
  restoreAll,
  runOperator,
  runPreparedMethods,
} from './workflow-execution.js';
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
 * Options of a {@link Workflow}: the model's keys (as `prepare` takes them) and whether methods may share
 * model passes.
 *
 * @example
 * const options: WorkflowOptions = { inKeys: ['pixels'], outKeys: ['logits'], sharePasses: false };
 * const workflow = new Workflow(steps, options);
 */
export interface WorkflowOptions extends ModelKeys {
  /**
   * Let consecutive read-only capture methods whose runners can collect share one model pass. `false` runs
   * every method in its own pass (each then sees only its own hooks). Default `true`.
   */
  readonly sharePasses?: boolean;
}

/**
 * Options of {@link Workflow.describe}: the JSON options, and the model to plan every method against.
 *
 * @example
 * const options: WorkflowDescribeOptions = { model };
 * workflow.describe(options);
 */
export interface WorkflowDescribeOptions extends DescribeOptions {
  /** Describe the plans for this model (read, never changed). Default: the model-free plans. */
  readonly model?: ModelNode;
}

/**
 * Several methods and TensorDict operators in one workflow, planned before anything runs: inputs checked,
 * output collisions rejected (the model's outputs are shared: every method may publish them), and
 * consecutive read-only capture methods whose runners can collect run in one shared model pass.
 *
 * @example
 * const workflow = new Workflow([activationNorms({ paths: ['fc1'] }), activationNorms({ paths: ['fc2'], key: 'more' })]);
 * workflow.plan(model, data).modelPasses; // 1: both capture in the same pass
 * const { data: result, plan } = workflow.run(model, data);
 * result.dispose();
 */
export class Workflow {
  readonly steps: readonly WorkflowStep[];
  /** Whether methods may share model passes (the `sharePasses` option). */
  readonly sharePasses: boolean;
  readonly #keys: ModelKeys;

  constructor(steps: readonly WorkflowStep[], options: WorkflowOptions = {}) {
    const given: unknown = steps;
    if (!Array.isArray(given)) {
      throw new InvalidValueError({
        what: `A workflow takes an array of steps, got ${describeStructure(given)}`,
        where: 'Workflow',
        fix: 'Pass new Workflow([method, operator, …]).',
      });
    }
    steps.forEach((step: unknown, index) => {
      if (!isWorkflowStep(step)) {
        throw new InvalidValueError({
          what: `Workflow step ${index} is neither a configured method nor an operator`,
          where: 'Workflow',
          fix: 'Pass methods (e.g. saliency({...})), defineOperator(...) results, or { update: step }.',
        });
      }
    });
    if (typeof options !== 'object' || (options as unknown) === null) {
      throw new InvalidValueError({
        what: `Workflow options must be an object, got ${describeStructure(options)}`,
        where: 'Workflow',
        fix: 'Pass { inKeys, outKeys, sharePasses } or leave them out.',
      });
    }
    const { sharePasses, inKeys, outKeys } = options;
    if (sharePasses !== undefined && typeof sharePasses !== 'boolean') {
      throw new InvalidValueError({
        what: `sharePasses must be a boolean, got ${describeStructure(sharePasses)}`,
        where: 'Workflow options',
        fix: 'Use sharePasses: false to run every method in its own model pass.',
      });
    }
    this.steps = Object.freeze([...steps]);
    this.sharePasses = sharePasses ?? true;
    this.#keys = Object.freeze({
      ...(inKeys === undefined ? {} : { inKeys }),
      ...(outKeys === undefined ? {} : { outKeys }),
    });
  }

  /**
   * Plans the workflow for a model and the keys of `data` without running or changing the model: every
   * method is planned against the model, and only methods whose plans declare `collects: true` share a pass.
   *
   * @example
   * const plan = workflow.plan(model, data);
   * plan.decisions; // why each method does or does not share the pass of the methods before it
   */
  plan(model: ModelNode, data: TensorDict): WorkflowPlan {
    return this.#plan(model, data, 'Workflow.plan').plan;
  }

  /**
   * Describes every step (as JSON) with its bound keys: without a model by default; with `model`, every
   * method planned against it (its modules, and a {@link KeyedModule}'s own keys). Changes nothing.
   *
   * @example
   * workflow.describe();
   * workflow.describe({ model }); // one hook per module each method touches
   */
  describe(options: WorkflowDescribeOptions = {}): JsonValue {
    const { model, ...describeOptions } = options;
    const keys = this.#keys;
    const steps: JsonValue[] = resolveSteps(this.steps, keys, model).map((resolved) => ({
      step: resolved.label,
      update: resolved.update,
      ...(resolved.plan === undefined
        ? { operator: (resolved.step as TensorDictOperator).name }
        : {
            method: (resolved.step as MethodLike).describe({
              ...describeOptions,
              keys,
              ...(model === undefined ? {} : { model }),
            }),
          }),
      inKeys: (resolved.plan?.inKeys ?? (resolved.step as TensorDictOperator).inKeys).map((key) => [...key]),
      outKeys: (resolved.plan?.outKeys ?? (resolved.step as TensorDictOperator).outKeys).map((key) => [
        ...key,
      ]),
    }));
    return steps;
  }

  /**
   * Plans (again: the plan is made for this model and data, never reused), then runs every execution in
   * order. Returns a new TensorDict (the caller owns it) with `data`'s entries and every step's outputs;
   * `data` is left as it was. Fails before any model call if the plan does; a failure later leaves no
   * partial result and every hook removed.
   *
   * @example
   * const { data: result, plan } = workflow.run(model, data);
   * result.dispose();
   */
  run(model: ModelNode, data: TensorDict): WorkflowResult {
    const { plan, resolved, modelOutKeys } = this.#plan(model, data, 'Workflow.run');
    const working = data.clone();
    try {
      for (const execution of plan.executions)
        this.#execute(execution, resolved, model, working, modelOutKeys);
    } catch (error) {
      working.dispose();
      throw error;
    }
    return { data: working, plan };
  }

  /**
   * Installs every method of the workflow on `model` once and returns the {@link PreparedWorkflow}, whose
   * `run(data)` may be called many times (a rollout runs it at every step) with the results of
   * `workflow.run(model, data)`; its hooks stay until `restore()` or the end of a `using` block. `keys` are
   * the model's keys where the workflow was made without them (a {@link KeyedModule} brings its own: keys
   * given are only checked). A method that changes the model's state (a plan spec with `direction: null`)
   * can be prepared only as the workflow's one method: a PlanError says so before anything is installed.
   *
   * @example
   * using prepared = workflow.prepare(model);
   * const { data: first } = prepared.run(data); // equal to workflow.run(model, data).data
   * first.dispose();
   */
  prepare(model: ModelNode, keys: ModelKeys = {}): PreparedWorkflow {
    return new PreparedWorkflow(this, model, mergeKeys(this.#keys, keys));
  }

  #plan(
    model: ModelNode,
    data: TensorDict,
    where: string,
  ): { plan: WorkflowPlan; resolved: ResolvedStep[]; modelOutKeys: readonly KeyPath[] } {
    if (!isTensorDict(data)) {
      throw new InvalidValueError({
        what: `A workflow runs on a TensorDict, got ${describeStructure(data)}`,
        where,
        fix: 'Wrap the inputs: new TensorDict({ input: x }, { batchShape: [x.shape[0]] }).',
      });
    }
    const keyed = new KeyedModel(model, this.#keys);
    const resolved = resolveSteps(this.steps, this.#keys, model);
    const plan = planWorkflow(resolved, data.keys({ leavesOnly: false }), keyed.outKeys, this.sharePasses);
    return { plan, resolved, modelOutKeys: keyed.outKeys };
  }

  #execute(
    execution: PlannedExecution,
    resolved: readonly ResolvedStep[],
    model: ModelNode,
    working: TensorDict,
    modelOutKeys: readonly KeyPath[],
  ): void {
    checkExecutionInputs(execution, working);
    const steps = executionSteps(execution, resolved);
    if (execution.kind === 'operator') {
      runOperator(steps[0]?.step as TensorDictOperator, working);
      return;
    }
    const prepared: PreparedModel[] = [];
    try {
      for (const step of steps) prepared.push((step.step as MethodLike).prepare(model, this.#keys));
      runPreparedMethods(prepared, steps, working, modelOutKeys);
    } catch (error) {
      restoreAll(prepared, { error });
      throw error;
    }
    restoreAll(prepared);
  }
}

/** The workflow's keys with those given to prepare; a side given in both places must be the same. */
function mergeKeys(own: ModelKeys, given: ModelKeys): ModelKeys {
  if (typeof given !== 'object' || (given as unknown) === null) {
    throw new InvalidValueError({
      what: `Model keys must be an object, got ${describeStructure(given)}`,
      where: 'Workflow.prepare',
      fix: 'Pass { inKeys, outKeys } or leave them out.',
    });
  }
  const merged: { -readonly [Side in keyof ModelKeys]: ModelKeys[Side] } = {};
  for (const side of ['inKeys', 'outKeys'] as const) {
    const mine = own[side];
    const theirs = given[side];
    if (mine !== undefined && theirs !== undefined && JSON.stringify(mine) !== JSON.stringify(theirs)) {
      throw new InvalidKeyError({
        what: `The workflow was made with ${side} ${JSON.stringify(mine)}, and prepare() was given ${JSON.stringify(theirs)}`,
        where: `Workflow.prepare ${side}`,
        fix: 'Give the model keys in one place: new Workflow(steps, { inKeys, outKeys }) or workflow.prepare(model, keys).',
      });
    }
    const value = theirs ?? mine;
    if (value !== undefined) merged[side] = value;
  }
  return merged;
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
