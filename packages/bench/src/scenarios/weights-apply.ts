// Applying a weight edit and undoing it: the cost of @tdhook/weights' pruning and taskVectors methods (prepare =
// the edit written into the model, restore = the saved originals written back) against plain TF.js doing the
// same maths on the variables, as the parameter count grows. @tdhook/weights is imported when a variant is set
// up, so the suite loads without it.
import * as tf from '@tensorflow/tfjs-core';
import { listParameters, readParameters, TensorDict } from '@tdhook/core';

import { defineScenario, type PreparedVariant, type Scenario } from '../scenario.js';
import { ReluMlp, type ReluMlpShape } from './relu-mlp.js';

/**
 * A grid point of {@link weightsApply}: which edit (global magnitude pruning of half the entries, or
 * θ_pre + 0.5·τ), on a 2-hidden-layer ReLU MLP (64 inputs, 10 classes) of `width` units, `parameters` in all.
 *
 * @example
 * const point: WeightsApplyParams = { operation: 'task-vectors', width: 280, parameters: 99_690 };
 */
export type WeightsApplyParams = {
  readonly operation: 'pruning' | 'task-vectors';
  readonly width: number;
  readonly parameters: number;
};

const alpha = 0.5;
const amount = 0.5;

function mlpShape(width: number): ReluMlpShape {
  return { inputs: 64, width, depth: 2, classes: 10 };
}

/** The parameter count of {@link mlpShape}'s MLP. */
function parameterCount(width: number): number {
  const { inputs, depth, classes } = mlpShape(width);
  return inputs * width + width + (depth - 1) * (width * width + width) + width * classes + classes;
}

// ~10k, ~100k and ~1M parameters, each edit.
const points: readonly WeightsApplyParams[] = (['pruning', 'task-vectors'] as const).flatMap((operation) =>
  [70, 280, 960].map((width) => ({ operation, width, parameters: parameterCount(width) })),
);

interface Fixture {
  readonly model: ReluMlp;
  readonly pretrained: TensorDict;
  /** A seeded task vector τ ~ N(0, 0.01²) per parameter. */
  readonly tau: TensorDict;
  readonly dispose: () => void;
}

function fixture(width: number): Fixture {
  const model = new ReluMlp(mlpShape(width));
  const pretrained = readParameters(model);
  const tau = new TensorDict(
    Object.fromEntries(
      listParameters(model).map(
        (info, index) =>
          [info.key, tf.randomNormal([...info.shape], 0, 0.01, 'float32', 1000 + index)] as const,
      ),
    ),
  );
  return {
    model,
    pretrained,
    tau,
    dispose: () => {
      tau.dispose();
      pretrained.dispose();
      model.dispose();
    },
  };
}

function sizeNote(parameters: number): () => string {
  return () => `${String(parameters)} parameters (${((parameters * 4) / 2 ** 20).toFixed(2)} MiB of float32)`;
}

async function setupTdhook({ operation, width, parameters }: WeightsApplyParams): Promise<PreparedVariant> {
  const { pruning, taskVectors } = await import('@tdhook/weights');
  const { model, pretrained, tau, dispose } = fixture(width);
  const method =
    operation === 'pruning' ? pruning({ amount }) : taskVectors({ pretrained, vectors: [tau], alpha });
  return {
    run: () => {
      method.prepare(model).restore();
      return undefined;
    },
    note: sizeNote(parameters),
    dispose,
  };
}

/**
 * Global magnitude pruning by hand, as @tdhook/weights' pruning counts it: the round(amount · n) entries of
 * smallest |θ| over all parameters (ties: model order, then position) become zero.
 */
export function pruneByHand(variables: readonly tf.Variable[]): void {
  const values = variables.map((variable) => variable.dataSync() as Float32Array);
  const size = values.reduce((total, array) => total + array.length, 0);
  const scores = new Float32Array(size);
  let offset = 0;
  for (const array of values) {
    for (let index = 0; index < array.length; index++)
      scores[offset + index] = Math.abs(array[index] as number);
    offset += array.length;
  }
  const count = Math.round(amount * size);
  const threshold = scores.slice().sort()[count - 1] ?? Infinity;
  let ties = count - scores.filter((score) => score < threshold).length;
  offset = 0;
  variables.forEach((variable, position) => {
    const pruned = Float32Array.from(values[position] as Float32Array);
    for (let index = 0; index < pruned.length; index++) {
      const score = scores[offset + index] as number;
      if (score < threshold || (score === threshold && ties-- > 0)) pruned[index] = 0;
    }
    offset += pruned.length;
    const value = tf.tensor(pruned, variable.shape);
    variable.assign(value);
    value.dispose();
  });
}

function setupPlain({ operation, width, parameters }: WeightsApplyParams): PreparedVariant {
  const model = new ReluMlp(mlpShape(width));
  const variables = [...model.layers.items, model.head].flatMap((layer) => [layer.kernel, layer.bias]);
  const pretrained = variables.map((variable) => tf.clone(variable));
  const tau = variables.map((variable, index) =>
    tf.randomNormal([...variable.shape], 0, 0.01, 'float32', 1000 + index),
  );
  // The same maths by hand: keep copies of the variables, assign the edit, assign the copies back.
  const run = (): undefined => {
    const originals = variables.map((variable) => tf.clone(variable));
    if (operation === 'pruning') pruneByHand(variables);
    else
      variables.forEach((variable, index) => {
        const edited = tf.tidy(() =>
          tf.add(pretrained[index] as tf.Tensor, tf.mul(tau[index] as tf.Tensor, tf.scalar(alpha))),
        );
        variable.assign(edited);
        edited.dispose();
      });
    variables.forEach((variable, index) => {
      variable.assign(originals[index] as tf.Tensor);
    });
    tf.dispose(originals);
    return undefined;
  };
  return {
    run,
    note: sizeNote(parameters),
    dispose: () => {
      tf.dispose([...pretrained, ...tau]);
      model.dispose();
    },
  };
}

/**
 * Weight edits applied and undone: `tdhook` prepares `@tdhook/weights`' `pruning({ amount: 0.5 })` (global
 * magnitude pruning of half the entries) or `taskVectors` (θ_pre + 0.5·τ checked against the model and written
 * into every parameter) and restores it (the saved originals written back, bit for bit) in the measured call;
 * `plain` keeps copies of the variables, assigns the same edit computed by hand and assigns the copies back.
 * On 2-hidden-layer ReLU MLPs of ~10k, ~100k and ~1M parameters; time and peak tensor memory.
 *
 * @example
 * const suite: Suite = [weightsApply];
 */
export const weightsApply: Scenario<WeightsApplyParams> = defineScenario<WeightsApplyParams>({
  id: 'weights-apply',
  title: 'Weight edits: apply and restore (pruning, task vectors)',
  description:
    'One call applies a weight edit to every parameter of a 2-hidden-layer ReLU MLP (64 inputs, 10 classes; ~10k, ~100k, ~1M parameters) and undoes it. pruning: pruning({ amount: 0.5 }).prepare(model).restore() (tdhook: the half of all entries with the smallest |θ| zeroed, the originals written back) vs plain TF.js (read the variables, rank |θ| in JS the same way, assign the pruned values, assign copies back). task-vectors: taskVectors({ pretrained, vectors: [τ], alpha: 0.5 }).prepare(model).restore() (tdhook: keys and shapes checked, θ_pre + α·τ written, the saved originals written back) vs plain TF.js (clone the variables, assign θ_pre + α·τ, assign the clones back). Time and the peak tensor memory of the call.',
  grid: {
    quick: points.filter((point) => point.width === 70),
    full: points,
  },
  baseline: 'plain',
  variants: { tdhook: setupTdhook, plain: setupPlain },
  repetitions: { quick: { warmup: 2, runs: 5 }, full: { warmup: 10, runs: 30 } },
});
