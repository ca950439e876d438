import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@tdhook/core';

import type { Estimator } from '../../estimators/estimator.js';
import { TrainedModel, uniformTensor, type Architecture } from './trained-model.js';
import { trainingOf, type TrainingOptions } from './training-options.js';

/**
 * Options of {@link linearProbe}.
 *
 * @example
 * const options: LinearProbeOptions = { classes: 10, epochs: 20, learningRate: 1e-2, batchSize: 64, seed: 1 };
 */
export interface LinearProbeOptions extends TrainingOptions {
  /** Input width; default: taken from the first `fit`. */
  readonly inputs?: number;
  /** Learn an intercept. Default `true`. */
  readonly bias?: boolean;
}

/**
 * A TF.js-trained estimator with raw outputs: `forward` gives logits (classifier) or values (regression),
 * and `parameters` its variables, lent.
 *
 * @example
 * const probe: TrainedEstimator = linearProbe({ classes: 2, inputs: 32 });
 * const logits = probe.forward(x); // [n, 2], caller owns
 */
export interface TrainedEstimator extends Estimator {
  /** Raw outputs `[n, classes | outputs]` as a new tensor; works before `fit` when the widths were given. */
  forward(x: tf.Tensor): tf.Tensor;
  /** The variables by name (`weight` `[d, k]`, `bias` `[k]`), lent: valid until dispose. */
  readonly parameters: Readonly<Record<string, tf.Variable>>;
}

const linearArchitecture = (bias: boolean): Architecture => ({
  name: 'linear probe',
  inputs: 1,
  init: ([d = 1], features, random) => {
    // torch's nn.Linear: weight and bias uniform in ±1/√d.
    const bound = 1 / Math.sqrt(d);
    const weight = uniformTensor([d, features], bound, random);
    return bias ? { weight, bias: uniformTensor([features], bound, random) } : { weight };
  },
  forward: ({ weight, bias: b }, [x]) => {
    const product = tf.matMul(x as tf.Tensor, weight as tf.Tensor);
    return b === undefined ? product : tf.add(product, b);
  },
});

/**
 * A linear probe trained with TF.js (the original's `TorchEstimator` + `LinearEstimator`): `x·W + b`,
 * fitted by Adam on seeded, shuffled mini-batches, with cross-entropy when `classes` is given (`predict`
 * returns the argmax, int32 `[n]`) and mean squared error otherwise (`y` and the output `[n, outputs]` must
 * have the same shape). For inputs too wide for the float64 estimators; a repeated `fit` continues training
 * from the current weights. Dispose it to free its variables.
 *
 * @example
 * const probe = linearProbe({ classes: 2, epochs: 200, learningRate: 1e-2, batchSize: 32, seed: 0 });
 * probe.fit(x, labels); // x [n, d], labels [n]
 * const predicted = probe.predict(xTest); // int32 [m]
 * probe.dispose();
 */
export function linearProbe(options: LinearProbeOptions = {}): TrainedEstimator {
  const where = 'linearProbe';
  const training = trainingOf(options, where);
  const model = new TrainedModel(
    linearArchitecture(options.bias ?? true),
    training,
    options.inputs === undefined ? undefined : [options.inputs],
    where,
  );
  return {
    name: 'linear-probe',
    get fitted() {
      return model.fitted;
    },
    get parameters() {
      return model.parameters;
    },
    fit(x: tf.Tensor, y: tf.Tensor, ...more: unknown[]) {
      if (more.length > 0) {
        throw new InvalidValueError({
          what: `Linear probe expects 1 input tensor, got ${1 + more.length}`,
          where: `${where}.fit`,
          fix: 'Call fit(x, y); for pairs of activations use bilinearEstimator.',
        });
      }
      model.fit([x], y);
    },
    predict: (x: tf.Tensor) => model.predict([x]),
    forward: (x: tf.Tensor) => model.forward([x]),
    dispose: () => {
      model.dispose();
    },
  };
}
