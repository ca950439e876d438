import { KeyedModel, type ModelKeys, type ModelNode, type TensorDict, type Workflow } from '@tdhook/core';

/**
 * What a rollout runs at every step: the policy alone, or a workflow on it. `restore` removes whatever was
 * installed for the rollout; it is idempotent.
 */
export interface StepRunner {
  /** The keys the policy reads (the rollout checks that it reads `observation`). */
  readonly inKeys: KeyedModel['inKeys'];
  run(data: TensorDict): TensorDict;
  restore(): void;
}

/**
 * The one place that decides how a step runs, so that the rollout itself never changes when core's
 * workflow API does.
 */
export function stepRunner(policy: ModelNode, keys: ModelKeys, workflow: Workflow | undefined): StepRunner {
  const keyed = new KeyedModel(policy, keys);
  if (workflow === undefined) {
    return { inKeys: keyed.inKeys, run: (data) => keyed.run(data), restore: () => undefined };
  }
  // core's Workflow.prepare (install once, run at every step) is not on this branch yet: run per step.
  return {
    inKeys: keyed.inKeys,
    run: (data) => workflow.run(policy, data).data,
    restore: () => undefined,
  };
}
