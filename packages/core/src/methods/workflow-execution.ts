// How one planned execution runs, shared by Workflow.run (which prepares its methods for each execution) and
// PreparedWorkflow.run (which prepared them once): the same code, so that both give the same results.

import { PlanError } from '../errors.js';
import { formatKey, keyStartsWith, type KeyPath } from '../keys.js';
import type { TensorDict } from '../tensordict/tensor-dict.js';
import { isTensorDict } from '../tensordict/brand.js';
import { shareHandle } from '../tensordict/share-handle.js';
import { isTensor } from '../value-guards.js';
import type { TensorDictOperator } from './operator.js';
import type { MethodPlan } from './method-definition.js';
import type { PreparedModel } from './prepared-model.js';
import { distinctKeys, type PlannedExecution, type ResolvedStep } from './workflow-plan.js';

/**
 * The resolved steps of an execution, in its order.
 *
 * @example
 * const steps = executionSteps(execution, resolved);
 */
export function executionSteps(
  execution: PlannedExecution,
  resolved: readonly ResolvedStep[],
): ResolvedStep[] {
  return execution.steps
    .map((label) => resolved.find((step) => step.label === label))
    .filter((step): step is ResolvedStep => step !== undefined);
}

/**
 * Throws a PlanError if an execution's inputs are not in `working`: they were planned, so a step before it
 * did not write what its plan declares.
 *
 * @example
 * checkExecutionInputs(execution, working);
 */
export function checkExecutionInputs(execution: PlannedExecution, working: TensorDict): void {
  const available = working.keys({ leavesOnly: false });
  const missing = execution.inKeys.filter((key) => !available.some((have) => keyStartsWith(key, have)));
  if (missing.length > 0) {
    throw new PlanError({
      what: `Execution ${execution.steps.join(' + ')} needs ${missing.map((key) => formatKey(key)).join(', ')}, planned but missing at run time`,
      where: 'workflow run',
      fix: 'A step did not write a key its plan declares; check that step.',
    });
  }
}

/**
 * Runs an operator on `working` and copies its outputs into it.
 *
 * @example
 * runOperator(operator, working);
 */
export function runOperator(operator: TensorDictOperator, working: TensorDict): void {
  const result = operator.run(working);
  try {
    copyKeys(result, working, operator.outKeys);
  } finally {
    result.dispose();
  }
}

/**
 * Runs the prepared methods of one execution on `working` and copies their outputs (and the model's) into
 * it: one method runs on its own; several share one model pass, then each publishes what its hooks captured.
 *
 * @example
 * runPreparedMethods(prepared, executionSteps(execution, resolved), working, modelOutKeys);
 */
export function runPreparedMethods(
  prepared: readonly PreparedModel[],
  steps: readonly ResolvedStep[],
  working: TensorDict,
  modelOutKeys: readonly KeyPath[],
): void {
  const [first] = prepared;
  if (first === undefined) return;
  if (prepared.length === 1) {
    const result = first.run(working);
    try {
      copyKeys(result, working, publishedKeys(modelOutKeys, steps[0]?.plan));
    } finally {
      result.dispose();
    }
    return;
  }
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
}

// The keys a method running alone publishes, per plan and model: a prepared workflow asks at every run.
const published = new WeakMap<
  object,
  { readonly modelOutKeys: readonly KeyPath[]; readonly keys: KeyPath[] }
>();

function publishedKeys(modelOutKeys: readonly KeyPath[], plan: MethodPlan | undefined): readonly KeyPath[] {
  if (plan === undefined) return distinctKeys(modelOutKeys);
  const known = published.get(plan);
  if (known?.modelOutKeys === modelOutKeys) return known.keys;
  const keys = distinctKeys([...modelOutKeys, ...plan.outKeys]);
  published.set(plan, { modelOutKeys, keys });
  return keys;
}

/**
 * Restores prepared models in reverse order; every one is restored even if another fails. After a failure
 * (`failure` given) the caller rethrows that failure and restore errors stay quiet; otherwise the first
 * restore error is thrown.
 *
 * @example
 * restoreAll(prepared, { error }); // then rethrow error
 */
export function restoreAll(prepared: readonly PreparedModel[], failure?: { readonly error: unknown }): void {
  let first: { error: unknown } | undefined;
  for (const method of [...prepared].reverse()) {
    try {
      method.restore();
    } catch (error) {
      first ??= { error };
    }
  }
  // PreparedModel.restore throws typed errors only (a ContextError wraps anything else).
  if (failure === undefined && first !== undefined) throw first.error;
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
  // The usual case, one tensor per key, or a namespace of them (a cache) that `to` does not have yet: one new
  // handle per tensor (select() then update() would take two, and cost a rollout that runs a workflow at
  // every step about twice as much). A namespace `to` has already is merged into, by update() below.
  if (keys.every((key) => copiedWhole(from, to, key))) {
    for (const key of keys) {
      const value = from.get(key);
      const copy = isTensor(value) ? shareHandle(value) : (value as TensorDict).clone();
      try {
        to.set(key, copy);
      } catch (error) {
        copy.dispose();
        throw error;
      }
    }
    return;
  }
  // select() and update() each take their own tensor handles, so `from` stays the caller's to dispose.
  const picked = from.select(...keys);
  try {
    to.update(picked);
  } finally {
    picked.dispose();
  }
}

/**
 * True if `from`'s entry at `key` can be copied into `to` as a whole with set(): a tensor, or a top-level
 * nested dict that `to` lacks (its clone keeps the batch shapes and leaves that update() would write).
 */
function copiedWhole(from: TensorDict, to: TensorDict, key: KeyPath): boolean {
  const value = from.get(key);
  return isTensor(value) || (key.length === 1 && isTensorDict(value) && !to.has(key));
}
