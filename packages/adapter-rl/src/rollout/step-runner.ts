import * as tf from '@tensorflow/tfjs-core';
import {
  KeyedModel,
  TensorDict,
  type KeyPath,
  type ModelKeys,
  type ModelNode,
  type Workflow,
} from '@tdhook/core';

/** What one step wrote: key paths and tensors (batch `[envs]`), freed together by `dispose`. */
export interface StepOutput {
  readonly entries: readonly (readonly [KeyPath, tf.Tensor])[];
  dispose(): void;
}

/**
 * What a rollout runs at every step: the policy alone, or a prepared workflow on it (installed once, at
 * creation). `restore` removes whatever was installed; it is idempotent.
 */
export interface StepRunner {
  /** The keys the policy reads (the rollout checks that it reads `observation`). */
  readonly inKeys: KeyedModel['inKeys'];
  /** Runs one step on the observations (`[envs, ...]`, taken over: the runner disposes them). */
  run(observation: tf.Tensor): StepOutput;
  restore(): void;
}

/**
 * The one place that decides how a step runs. The policy alone is called on the tensor directly (no
 * TensorDict per step: at a few hundred microseconds a step, their bookkeeping shows); a workflow is
 * prepared once with core's `workflow.prepare` and run on a one-key TensorDict.
 */
export function stepRunner(policy: ModelNode, keys: ModelKeys, workflow: Workflow | undefined): StepRunner {
  const keyed = new KeyedModel(policy, keys);
  if (workflow === undefined) {
    return {
      inKeys: keyed.inKeys,
      run: (observation) => {
        try {
          const outputs = tf.tidy(() => keyed.callTensors([observation]));
          return {
            entries: keyed.outKeys.map((key, index) => [key, outputs[index] as tf.Tensor] as const),
            dispose: () => {
              tf.dispose(outputs);
            },
          };
        } finally {
          observation.dispose();
        }
      },
      restore: () => undefined,
    };
  }
  const prepared = workflow.prepare(policy, keys);
  return {
    inKeys: keyed.inKeys,
    run: (observation) => {
      const input = new TensorDict({ observation }, { batchShape: [observation.shape[0]] });
      let data: TensorDict;
      try {
        data = prepared.run(input).data;
      } finally {
        input.dispose();
      }
      return {
        entries: data
          .entries()
          .filter((entry): entry is [KeyPath, tf.Tensor] => entry[1] instanceof tf.Tensor),
        dispose: () => {
          data.dispose();
        },
      };
    },
    restore: () => {
      prepared.restore();
    },
  };
}
