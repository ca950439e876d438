import { ContextError, ContractError, InvalidValueError, PlanError, TdhookError } from '../errors.js';
import { describeStructure } from '../hooks/tensor-leaves.js';
import type { ModelNode } from '../modules/model-node.js';
import { isTensorDict } from '../tensordict/brand.js';
import type { TensorDict } from '../tensordict/tensor-dict.js';
import type { MethodLike } from './define-method.js';
import { hookGateOf, type HookGate } from './hook-gate.js';
import { KeyedModel, type ModelKeys } from './keyed-model.js';
import type { TensorDictOperator } from './operator.js';
import type { PreparedModel } from './prepared-model.js';
import type { Workflow, WorkflowResult } from './workflow.js';
import {
  checkExecutionInputs,
  executionSteps,
  restoreAll,
  runOperator,
  runPreparedMethods,
} from './workflow-execution.js';
import { planWorkflow, resolveSteps, type ResolvedStep, type WorkflowPlan } from './workflow-plan.js';

interface Installed {
  readonly prepared: PreparedModel;
  readonly gate: HookGate;
}

// Plans per key set of the data: a rollout runs with the same keys at every step. A handful is plenty.
const plansKept = 16;

/**
 * A workflow installed on a model once (what {@link Workflow.prepare} returns): every method's hooks stay
 * on the model until {@link PreparedWorkflow.restore} (or the end of a `using` block), and `run(data)` may be
 * called many times, as a rollout does at every step. Each execution sees only its own methods' hooks (the
 * others are installed but inactive, and all are inactive between runs), so `run` gives exactly what
 * `workflow.run(model, data)` gives. Hooks installed on the model before `prepare` (a steering method
 * prepared outside) act in every run, as they would in `workflow.run`; hooks installed after it run after the
 * workflow's. Data it cannot plan for is refused before anything runs; any error while running restores
 * everything, and the prepared workflow cannot run again.
 *
 * @example
 * using prepared = workflow.prepare(model);
 * for (const step of steps) {
 *   const { data: result } = prepared.run(step); // same as workflow.run(model, step), without installing again
 *   result.dispose();
 * }
 */
export class PreparedWorkflow {
  readonly workflow: Workflow;
  readonly model: ModelNode;
  readonly #resolved: readonly ResolvedStep[];
  readonly #modelOutKeys: KeyedModel['outKeys'];
  readonly #installed = new Map<string, Installed>();
  readonly #plans = new Map<string, WorkflowPlan>();
  #restoredBecause: string | undefined;

  /** Made by {@link Workflow.prepare}; `keys` are the workflow's own merged with those given there. */
  constructor(workflow: Workflow, model: ModelNode, keys: ModelKeys) {
    this.workflow = workflow;
    this.model = model;
    this.#modelOutKeys = new KeyedModel(model, keys).outKeys;
    this.#resolved = resolveSteps(workflow.steps, keys, model);
    checkGateable(this.#resolved);
    try {
      for (const step of this.#resolved) {
        if (step.plan === undefined) continue;
        const prepared = (step.step as MethodLike).prepare(model, keys);
        const gate = hookGateOf(prepared);
        if (gate === undefined) {
          prepared.restore();
          throw new ContractError({
            what: `Step ${step.label}'s prepare() did not return a PreparedModel of @tdhook/core, so its hooks cannot be made inactive outside its execution`,
            where: 'Workflow.prepare',
            fix: 'Define the method with defineMethod(), or run the workflow with workflow.run(model, data).',
          });
        }
        // Closed at once: later methods' binds and every other execution must not see this method's hooks.
        gate.open = false;
        this.#installed.set(step.label, { prepared, gate });
      }
    } catch (error) {
      this.#restoreAfterError('its preparation failed');
      throw error;
    }
  }

  /** True until restored (by `restore()`, a `using` block's end, or an error in `run`). */
  get active(): boolean {
    return this.#restoredBecause === undefined;
  }

  /**
   * The plan a run on data with `data`'s keys executes (made once per key set, then reused). Changes nothing.
   *
   * @example
   * prepared.plan(data).modelPasses; // as workflow.plan(model, data)
   */
  plan(data: TensorDict): WorkflowPlan {
    this.#assertActive('PreparedWorkflow.plan');
    if (!isTensorDict(data)) {
      throw new InvalidValueError({
        what: `A workflow runs on a TensorDict, got ${describeStructure(data)}`,
        where: 'PreparedWorkflow',
        fix: 'Wrap the inputs: new TensorDict({ input: x }, { batchShape: [x.shape[0]] }).',
      });
    }
    const dataKeys = data.keys({ leavesOnly: false });
    const signature = JSON.stringify(dataKeys);
    const known = this.#plans.get(signature);
    if (known !== undefined) return known;
    const plan = freezePlan(
      planWorkflow(this.#resolved, dataKeys, this.#modelOutKeys, this.workflow.sharePasses),
    );
    if (this.#plans.size >= plansKept) this.#plans.clear();
    this.#plans.set(signature, plan);
    return plan;
  }

  /**
   * Runs every execution of the workflow on `data` with the installed methods. Returns a new TensorDict
   * (the caller owns it) with `data`'s entries and every step's outputs, equal to `workflow.run(model, data)`'s;
   * `data` is left as it was. Data the workflow cannot plan for (not a TensorDict, a key missing) is refused
   * with a typed error before anything runs, and the workflow stays prepared; an error while running restores
   * the model and is rethrown, and later calls throw a ContextError.
   *
   * @example
   * const { data: result, plan } = prepared.run(data);
   * result.dispose();
   */
  run(data: TensorDict): WorkflowResult {
    this.#assertActive('PreparedWorkflow.run');
    // Bad data fails the plan before anything runs: a typed error that changes nothing (still prepared).
    const plan = this.plan(data);
    let working: TensorDict | undefined;
    try {
      working = data.clone();
      for (const execution of plan.executions) {
        checkExecutionInputs(execution, working);
        const steps = executionSteps(execution, this.#resolved);
        if (execution.kind === 'operator') runOperator(steps[0]?.step as TensorDictOperator, working);
        else this.#runMethods(steps, working);
      }
      return { data: working, plan };
    } catch (error) {
      working?.dispose();
      this.#restoreAfterError(
        `an error occurred in run(): ${error instanceof Error ? error.message : String(error)}`,
      );
      throw error;
    }
  }

  /** Runs one method execution with the gates of its methods (and only theirs) open. */
  #runMethods(steps: readonly ResolvedStep[], working: TensorDict): void {
    const installed = steps.map((step) => this.#installed.get(step.label)).filter((one) => one !== undefined);
    for (const { gate } of installed) gate.open = true;
    try {
      runPreparedMethods(
        installed.map(({ prepared }) => prepared),
        steps,
        working,
        this.#modelOutKeys,
      );
    } finally {
      for (const { gate } of installed) gate.open = false;
    }
  }

  #assertActive(where: string): void {
    if (this.#restoredBecause === undefined) return;
    throw new ContextError({
      what: `This prepared workflow was restored because ${this.#restoredBecause}`,
      where,
      fix: 'Prepare the workflow on the model again: workflow.prepare(model).',
    });
  }

  /** Restores after an error, which stays the error the caller sees: a failing undo would only hide it. */
  #restoreAfterError(reason: string): void {
    try {
      this.#restore(reason);
    } catch {
      // Every prepared method was still restored (restoreAll goes on past a failure).
    }
  }

  /**
   * Removes every method's hooks and undoes every change, in reverse order. Idempotent.
   *
   * @example
   * const prepared = workflow.prepare(model);
   * try { prepared.run(data).data.dispose(); } finally { prepared.restore(); }
   */
  restore(): void {
    this.#restore('restore() was called');
  }

  #restore(reason: string): void {
    if (this.#restoredBecause !== undefined) return;
    this.#restoredBecause = reason;
    const installed = [...this.#installed.values()].map(({ prepared }) => prepared);
    this.#installed.clear();
    this.#plans.clear();
    try {
      restoreAll(installed);
    } catch (error) {
      throw TdhookError.is(error)
        ? error
        : new ContextError({ what: 'Restoring the model failed', cause: error });
    }
  }

  [Symbol.dispose](): void {
    this.restore();
  }
}

/**
 * Hooks can be made inactive outside their execution; state changes (plan specs with `direction: null`, such
 * as LRP's parameter edits) cannot: they would change what the other methods compute. Such a method may only
 * be prepared as the workflow's one method.
 */
function checkGateable(resolved: readonly ResolvedStep[]): void {
  const methods = resolved.filter((step) => step.plan !== undefined);
  methods.forEach((step, index) => {
    const twice = methods.slice(0, index).find((earlier) => earlier.step === step.step);
    if (twice !== undefined) {
      throw new PlanError({
        what: `Steps ${twice.label} and ${step.label} are the same configured method, which can be prepared on a model only once`,
        where: 'Workflow.prepare',
        fix: 'Configure it once per step (call its factory again with the same options).',
      });
    }
  });
  if (methods.length < 2) return;
  for (const step of methods) {
    const change = step.plan?.hooks.find((spec) => spec.direction === null);
    if (change === undefined) continue;
    throw new PlanError({
      what: `Step ${step.label} changes the model's state (${change.operation} at '${change.path}'), which cannot be made inactive while the workflow's other methods run`,
      where: 'Workflow.prepare',
      fix: 'Prepare a workflow with this method as its only method (operators may stay), or run the workflow with workflow.run(model, data) at each step.',
    });
  }
}

function freezePlan(plan: WorkflowPlan): WorkflowPlan {
  return Object.freeze({
    executions: Object.freeze(plan.executions.map((execution) => Object.freeze({ ...execution }))),
    modelPasses: plan.modelPasses,
    decisions: Object.freeze(plan.decisions.map((decision) => Object.freeze({ ...decision }))),
  });
}
