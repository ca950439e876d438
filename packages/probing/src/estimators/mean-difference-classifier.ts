import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@tdhook/core';

import { checkFeatureCount, notFittedError, readRows, readTargets, type DenseRows } from './dense-rows.js';
import type { Classifier, LinearModel } from './estimator.js';
import { sigmoid } from './sigmoid.js';

/**
 * Options of {@link meanDifferenceClassifier}.
 *
 * @example
 * const options: MeanDifferenceOptions = { normalize: false }; // coef = μ₊ − μ₋ as is
 */
export interface MeanDifferenceOptions {
  /** Divide coef and intercept by ‖coef‖ (skipped when ‖coef‖ = 0), so the decision is a signed distance. Default `true`. */
  readonly normalize?: boolean;
}

/**
 * The mean-difference classifier: a {@link Classifier} with float64 {@link LinearModel} parameters.
 *
 * @example
 * const classifier: MeanDifferenceClassifier = meanDifferenceClassifier();
 */
export interface MeanDifferenceClassifier extends Classifier, LinearModel {}

interface Fitted {
  readonly coef: Float64Array;
  readonly intercept: number;
}

const name = 'mean-difference-classifier';

/**
 * The mean-difference classifier of the original (`MeanDifferenceClassifier`): coef = μ₊ − μ₋ and
 * intercept = −½(‖μ₊‖² − ‖μ₋‖²), so the decision `x · coef + intercept` is positive on the side of the
 * class-1 mean. Float64 throughout; `classes` is `[0, 1]`.
 *
 * As in the original, `y` must be 1-D (a 2-D, one-hot `y` raises "Multiclass classification not supported")
 * and is used as weights: μ₊ = Σ yᵢxᵢ / Σ yᵢ and μ₋ = Σ (1 − yᵢ)xᵢ / Σ (1 − yᵢ), which are the class means for
 * 0/1 labels. Either sum being 0 raises "Both classes must be present in y". `predict` returns a **bool**
 * tensor (decision > 0), `predictProba` `[1 − σ, σ]` of the decision.
 *
 * @example
 * const classifier = meanDifferenceClassifier({ normalize: true });
 * classifier.fit(x, labels); // x [n, d] float32, labels [n] 0/1
 * const positive = classifier.predict(x); // [n] bool, caller owns
 * const direction = classifier.coef[0]; // the unit vector from the class-0 mean to the class-1 mean
 * positive.dispose();
 */
export function meanDifferenceClassifier(options: MeanDifferenceOptions = {}): MeanDifferenceClassifier {
  const normalize = options.normalize ?? true;
  if (typeof normalize !== 'boolean') {
    throw new InvalidValueError({
      what: `normalize must be a boolean, got ${String(normalize)}`,
      where: `${name} options`,
    });
  }
  let fitted: Fitted | undefined;
  const state = (what: string): Fitted => {
    if (fitted === undefined) throw notFittedError(name, what);
    return fitted;
  };
  const decisions = (x: tf.Tensor, what: string): Float64Array => {
    const model = state(what);
    const rows: DenseRows = readRows(x, `${name}.${what}(x)`);
    checkFeatureCount(rows, model.coef.length, `${name}.${what}(x)`);
    const out = new Float64Array(rows.rows);
    for (let i = 0; i < rows.rows; i++) {
      let sum = model.intercept;
      for (let j = 0; j < rows.columns; j++)
        sum += (rows.data[i * rows.columns + j] ?? 0) * (model.coef[j] ?? 0);
      out[i] = sum;
    }
    return out;
  };
  return {
    name,
    get fitted() {
      return fitted !== undefined;
    },
    classes: [0, 1],
    get coef() {
      return [Array.from(state('coef').coef)];
    },
    get intercept() {
      return [state('intercept').intercept];
    },
    fit(x, y) {
      if (y.rank > 1) {
        throw new InvalidValueError({
          what: `Multiclass classification not supported: y has shape [${y.shape.join(', ')}]`,
          where: `${name}.fit(x, y)`,
          fix: 'Pass 1-D binary labels (0/1); for more classes use logisticRegression().',
        });
      }
      const rows = readRows(x, `${name}.fit(x)`);
      const labels = readTargets(y, rows.rows, `${name}.fit(y)`).data;
      const d = rows.columns;
      const positive = new Float64Array(d);
      const negative = new Float64Array(d);
      let positiveWeight = 0;
      let negativeWeight = 0;
      for (let i = 0; i < rows.rows; i++) {
        const weight = labels[i] ?? 0;
        positiveWeight += weight;
        negativeWeight += 1 - weight;
        for (let j = 0; j < d; j++) {
          const value = rows.data[i * d + j] ?? 0;
          positive[j] = (positive[j] ?? 0) + weight * value;
          negative[j] = (negative[j] ?? 0) + (1 - weight) * value;
        }
      }
      if (positiveWeight === 0 || negativeWeight === 0) {
        throw new InvalidValueError({
          what: `Both classes must be present in y (Σy = ${positiveWeight}, Σ(1 − y) = ${negativeWeight})`,
          where: `${name}.fit(x, y)`,
          fix: 'Fit on rows of both class 0 and class 1.',
        });
      }
      const coef = new Float64Array(d);
      let positiveNorm = 0;
      let negativeNorm = 0;
      let coefNorm = 0;
      for (let j = 0; j < d; j++) {
        const mp = (positive[j] ?? 0) / positiveWeight;
        const mn = (negative[j] ?? 0) / negativeWeight;
        coef[j] = mp - mn;
        positiveNorm += mp * mp;
        negativeNorm += mn * mn;
        coefNorm += (coef[j] ?? 0) * (coef[j] ?? 0);
      }
      let intercept = -0.5 * (positiveNorm - negativeNorm);
      coefNorm = Math.sqrt(coefNorm);
      if (normalize && coefNorm > 0) {
        for (let j = 0; j < d; j++) coef[j] = (coef[j] ?? 0) / coefNorm;
        intercept /= coefNorm;
      }
      fitted = { coef, intercept };
    },
    predict(x) {
      const values = decisions(x, 'predict');
      return tf.tensor1d(
        Array.from(values, (value) => (value > 0 ? 1 : 0)),
        'bool',
      );
    },
    decisionFunction(x) {
      return tf.tensor1d(Float32Array.from(decisions(x, 'decisionFunction')), 'float32');
    },
    predictProba(x) {
      const values = decisions(x, 'predictProba');
      const probabilities = new Float32Array(values.length * 2);
      values.forEach((value, i) => {
        const p = sigmoid(value);
        probabilities[2 * i] = 1 - p;
        probabilities[2 * i + 1] = p;
      });
      return tf.tensor2d(probabilities, [values.length, 2], 'float32');
    },
    dispose() {},
  };
}
