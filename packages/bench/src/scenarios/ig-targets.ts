// Integrated gradients for k targets on ReLU MLPs over the paper's grid (width × depth × batch): one tdhook
// call for all targets (one forward shared by k backward passes), tdhook one target at a time ('loop'), and
// plain TF.js doing the same math with one tf.grad per target.
import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import { classTargets, integratedGradients, quadrature, type TargetStrategy } from '@tdhook/attribution';

import { defineScenario, type PreparedVariant, type Scenario } from '../scenario.js';
import { plainMlpForward, ReluMlp } from './relu-mlp.js';

/**
 * A grid point of {@link igMultiTarget}.
 *
 * @example
 * const point: IgTargetsParams = { width: 1000, depth: 5, batch: 100, targets: 10 };
 */
export type IgTargetsParams = {
  readonly width: number;
  readonly depth: number;
  readonly batch: number;
  readonly targets: number;
};

const inputs = 100;
const classes = 10;
const steps = 50;

/**
 * The paper's whole grid (width 100–10000, depth 5–50, batch 10–5000, 2 and 10 targets): `--full` runs a
 * scaled one; pass this to a suite of your own on a bigger machine.
 *
 * @example
 * export const suite: Suite = [{ ...igMultiTarget, grid: { quick: igMultiTarget.grid.quick, full: paperIgGrid } }];
 */
export const paperIgGrid: readonly IgTargetsParams[] = [100, 1000, 10000].flatMap((width) =>
  [5, 20, 50].flatMap((depth) =>
    [10, 100, 1000, 5000].flatMap((batch) => [2, 10].map((targets) => ({ width, depth, batch, targets }))),
  ),
);

function subject(params: IgTargetsParams): { model: ReluMlp; x: tf.Tensor; classes: number[] } {
  const model = new ReluMlp({ inputs, width: params.width, depth: params.depth, classes });
  const x = tf.randomNormal([params.batch, inputs], 0, 1, 'float32', 7);
  return { model, x, classes: Array.from({ length: params.targets }, (_, unit) => unit) };
}

function tdhook(strategy: TargetStrategy): (params: IgTargetsParams) => PreparedVariant {
  return (params) => {
    const { model, x, classes: units } = subject(params);
    const data = new TensorDict({ input: x }, { batchShape: [params.batch] });
    const targets = classTargets(units);
    const prepared = integratedGradients({
      steps,
      method: 'gausslegendre',
      targets,
      baselines: 0,
      strategy,
    }).prepare(model);
    return {
      run: () => {
        const result = prepared.run(data);
        const attributions = units.map((unit) =>
          tf.clone(result.getTensor(['attr', `class${String(unit)}`, 'input'])),
        );
        result.dispose();
        return attributions;
      },
      dispose: () => {
        prepared.restore();
        data.dispose();
        model.dispose();
      },
    };
  };
}

/**
 * IG by hand: `x · Σᵢ wᵢ ∇f_c(αᵢ x)` (zero baseline) for each class c, one `tf.grad` over the interpolated
 * batch per class. Returns one attribution per class.
 *
 * @example
 * const attributions = plainIntegratedGradients(mlp, x, [0, 1]);
 */
export function plainIntegratedGradients(
  model: ReluMlp,
  x: tf.Tensor,
  units: readonly number[],
): tf.Tensor[] {
  const { alphas, weights } = quadrature('gausslegendre', steps);
  return tf.tidy(() => {
    const rows = x.shape[0];
    const alpha = tf.reshape(tf.tensor1d([...alphas]), [steps, 1, 1]);
    const path = tf.reshape(tf.mul(alpha, tf.expandDims(x, 0)), [steps * rows, inputs]);
    const weight = tf.reshape(tf.tensor1d([...weights]), [steps, 1, 1]);
    return units.map((unit) => {
      const gradient = tf.grad((input: tf.Tensor) =>
        tf.sum(tf.slice(plainMlpForward(model, input), [0, unit], [-1, 1])),
      )(path);
      return tf.mul(tf.sum(tf.mul(tf.reshape(gradient, [steps, rows, inputs]), weight), 0), x);
    });
  });
}

/**
 * Integrated gradients for several targets: tdhook in one call vs one target at a time, and plain TF.js.
 *
 * @example
 * export const suite: Suite = [igMultiTarget];
 */
export const igMultiTarget: Scenario<IgTargetsParams> = defineScenario<IgTargetsParams>({
  id: 'ig-multi-target',
  title: 'Integrated gradients, several targets in one call',
  description: `Integrated gradients (${String(steps)} Gauss–Legendre steps, zero baseline) of k logits of a ReLU MLP (${String(inputs)} inputs, ${String(classes)} classes): tdhook for all k targets in one call (one forward pass shared by k backward passes), tdhook one target at a time ('loop'), and plain TF.js with one tf.grad per target over the interpolated batch.`,
  grid: {
    quick: [
      { width: 100, depth: 5, batch: 10, targets: 2 },
      { width: 100, depth: 5, batch: 10, targets: 10 },
    ],
    // Scaled to run here in minutes: cost grows with steps × batch × width² × depth.
    full: [100, 300].flatMap((width) =>
      [5, 20].flatMap((depth) =>
        [10, 50].flatMap((batch) => [2, 10].map((targets) => ({ width, depth, batch, targets }))),
      ),
    ),
  },
  baseline: 'plain',
  variants: {
    tdhook: tdhook('shared'),
    'tdhook-loop': tdhook('loop'),
    plain: (params) => {
      const { model, x, classes: units } = subject(params);
      return {
        run: () => plainIntegratedGradients(model, x, units),
        dispose: () => {
          x.dispose();
          model.dispose();
        },
      };
    },
  },
  repetitions: { full: { warmup: 1, runs: 3 }, quick: { warmup: 1, runs: 3 } },
});
