import * as tf from '@tensorflow/tfjs-core';
import type { Estimator } from '@tdhook/probing';

/**
 * An estimator that z-scores its inputs with the mean and standard deviation of the rows it is fitted on
 * (scikit-learn's `make_pipeline(StandardScaler(), estimator)`), so that one penalty suits features of any
 * scale: a pole angle of ±0.2 rad next to velocities of ±2. Constant features are only centred.
 *
 * @example
 * const probe = standardized(ridgeRegression({ alpha: 1 }));
 * probe.fit(x, y); // x [n, d]
 * const predicted = probe.predict(x); // caller owns
 */
export function standardized(inner: Estimator): Estimator {
  let moments: { mean: tf.Tensor; scale: tf.Tensor } | undefined;
  return {
    name: `standardized-${inner.name}`,
    get fitted() {
      return inner.fitted;
    },
    fit(x, y) {
      const next = tf.tidy(() => {
        const { mean, variance } = tf.moments(x, 0);
        const deviation = tf.sqrt(variance);
        // A constant feature keeps scale 1: dividing by 0 would turn it into NaN.
        return { mean, scale: tf.where(tf.greater(deviation, 0), deviation, tf.onesLike(deviation)) };
      });
      const z = tf.tidy(() => tf.div(tf.sub(x, next.mean), next.scale));
      try {
        inner.fit(z, y);
      } catch (error) {
        tf.dispose([next.mean, next.scale]);
        throw error;
      } finally {
        z.dispose();
      }
      if (moments !== undefined) tf.dispose([moments.mean, moments.scale]);
      moments = next;
    },
    predict(x) {
      if (moments === undefined) return inner.predict(x); // raises the estimator's own "Model not fitted"
      const { mean, scale } = moments;
      const z = tf.tidy(() => tf.div(tf.sub(x, mean), scale));
      try {
        return inner.predict(z);
      } finally {
        z.dispose();
      }
    },
    dispose() {
      if (moments !== undefined) tf.dispose([moments.mean, moments.scale]);
      moments = undefined;
      inner.dispose();
    },
  };
}
