// Applying a weight edit and undoing it: the cost of @tdhook/weights' taskVectors method (prepare = θ_pre + α·τ
// written into the model, restore = the saved originals written back) against plain TF.js doing the same
// maths on the variables, as the parameter count grows. @tdhook/weights is imported when a variant is set up,
// so the suite loads without it.
import * as tf from '@tensorflow/tfjs-core';
import { listParameters, readParameters, TensorDict } from '@tdhook/core';

import { defineScenario, type PreparedVariant, type Scenario } from '../scenario.js';
import { ReluMlp, type ReluMlpShape } from './relu-mlp.js';

/**
 * A grid point of {@link weightsApply}: which edit, on a 2-hidden-layer ReLU MLP (64 inputs, 10 classes) of
 * `width` units, `parameters` in all.
 *
 * @example
 * const point: WeightsApplyParams = { operation: 'task-vectors', width: 280, parameters: 99_690 };
 */
export type WeightsApplyParams = {
  readonly operation: 'task-vectors';
  readonly width: number;
  readonly parameters: number;
};

const alpha = 0.5;

function mlpShape(width: number): ReluMlpShape {
  return { inputs: 64, width, depth: 2, classes: 10 };
}

/** The parameter count of {@link mlpShape}'s MLP. */
function parameterCount(width: number): number {
  const { inputs, depth, classes } = mlpShape(width);
  return inputs * width + width + (depth - 1) * (width * width + width) + width * classes + classes;
}

// ~10k, ~100k and ~1M parameters.
const points: readonly WeightsApplyParams[] = [70, 280, 960].map((width) => ({
  operation: 'task-vectors' as const,
  width,
  parameters: parameterCount(width),
}));

interface Fixture {
  readonly model: ReluMlp;
  readonly pretrained: TensorDict;
  /** A seeded task vector τ ~ N(0, 0.01²) per parameter. */
  readonly tau: TensorDict;
  dispose(): void;
}

function fixture(width: number): Fixture {
  const model = new ReluMlp(mlpShape(width));
  const pretrained = readParameters(model);
  const tau = new TensorDict(
    Object.fromEntries(
      listParameters(model).map(
        (info, index) => [info.key, tf.randomNormal(info.shape, 0, 0.01, 'float32', 1000 + index)] as const,
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

async function setupTdhook({ width, parameters }: WeightsApplyParams): Promise<PreparedVariant> {
  const { taskVectors } = await import('@tdhook/weights');
  const { model, pretrained, tau, dispose } = fixture(width);
  const method = taskVectors({ pretrained, vectors: [tau], alpha });
  return {
    run: () => {
      method.prepare(model).restore();
      return undefined;
    },
    note: sizeNote(parameters),
    dispose,
  };
}

function setupPlain({ width, parameters }: WeightsApplyParams): PreparedVariant {
  const model = new ReluMlp(mlpShape(width));
  const variables = [...model.layers.items, model.head].flatMap((layer) => [layer.kernel, layer.bias]);
  const pretrained = variables.map((variable) => tf.clone(variable));
  const tau = variables.map((variable, index) => tf.randomNormal(variable.shape, 0, 0.01, 'float32', 1000 + index));
  // The same maths by hand: keep copies of the variables, assign θ_pre + α·τ, assign the copies back.
  const run = (): undefined => {
    const originals = variables.map((variable) => tf.clone(variable));
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
 * Weight edits applied and undone: `tdhook` prepares `@tdhook/weights`' `taskVectors` (θ_pre + 0.5·τ checked
 * against the model and written into every parameter) and restores it (the saved originals written back, bit
 * for bit) in the measured call; `plain` keeps copies of the variables, assigns θ_pre + 0.5·τ and assigns the
 * copies back. On 2-hidden-layer ReLU MLPs of ~10k, ~100k and ~1M parameters; time and peak tensor memory.
 *
 * @example
 * const suite: Suite = [weightsApply];
 */
export const weightsApply: Scenario<WeightsApplyParams> = defineScenario<WeightsApplyParams>({
  id: 'weights-apply',
  title: 'Weight edits: apply and restore (task vectors)',
  description:
    'One call applies a weight edit to every parameter of a 2-hidden-layer ReLU MLP (64 inputs, 10 classes; ~10k, ~100k, ~1M parameters) and undoes it: taskVectors({ pretrained, vectors: [τ], alpha: 0.5 }).prepare(model).restore() (tdhook: keys and shapes checked, θ_pre + α·τ written, the saved originals written back) vs plain TF.js (clone the variables, assign θ_pre + α·τ, assign the clones back). Time and the peak tensor memory of the call.',
  grid: { quick: [points[0] as WeightsApplyParams], full: points },
  baseline: 'plain',
  variants: { tdhook: setupTdhook, plain: setupPlain },
  repetitions: { quick: { warmup: 2, runs: 5 }, full: { warmup: 10, runs: 30 } },
});
