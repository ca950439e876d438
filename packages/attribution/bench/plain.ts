// The same math as the tdhook methods, written by hand with plain TF.js: what each method is measured
// against. Every function returns new tensors and leaves nothing else behind.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

const call = (model: tfl.LayersModel, x: tf.Tensor): tf.Tensor => model.apply(x) as tf.Tensor;

const oneHotRows = (classes: tf.Tensor, units: number): tf.Tensor =>
  tf.cast(tf.oneHot(tf.cast(classes, 'int32'), units), 'float32');

/** Saliency of each sample's predicted class: one forward to pick the classes inside the gradient. */
export function plainSaliency(model: tfl.LayersModel, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.grad((input: tf.Tensor) => {
      const logits = call(model, input);
      const units = logits.shape[1] as number;
      return tf.sum(tf.mul(logits, oneHotRows(tf.argMax(logits, 1), units)));
    })(x),
  );
}

/** Integrated gradients, `(x−b)·Σᵢ wᵢ ∇f_c(b+αᵢ(x−b))`, for each class in `classes`, one class at a time. */
export function plainIntegratedGradients(
  model: tfl.LayersModel,
  x: tf.Tensor,
  alphas: readonly number[],
  weights: readonly number[],
  classes: readonly number[],
): tf.Tensor[] {
  return tf.tidy(() => {
    const steps = alphas.length;
    const rows = x.shape[0];
    const sampleShape = x.shape.slice(1);
    const delta = x; // zero baseline
    const alpha = tf.reshape(tf.tensor1d([...alphas]), [steps, 1, ...sampleShape.map(() => 1)]);
    const path = tf.reshape(tf.mul(alpha, tf.expandDims(delta, 0)), [steps * rows, ...sampleShape]);
    const weight = tf.reshape(tf.tensor1d([...weights]), [steps, 1, ...sampleShape.map(() => 1)]);
    return classes.map((unit) => {
      const gradient = tf.grad((input: tf.Tensor) => {
        const logits = call(model, input);
        return tf.sum(tf.slice(logits, [0, unit], [-1, 1]));
      })(path);
      const averaged = tf.sum(tf.mul(tf.reshape(gradient, [steps, rows, ...sampleShape]), weight), 0);
      return tf.mul(averaged, delta);
    });
  });
}

/** Grad-CAM on the output of `layers[split - 1]` of a Sequential model, predicted class, NHWC. */
export function plainGradCam(model: tfl.Sequential, x: tf.Tensor, split: number): tf.Tensor {
  return tf.tidy(() => {
    let features = x;
    for (const layer of model.layers.slice(0, split)) features = layer.apply(features) as tf.Tensor;
    const head = (input: tf.Tensor): tf.Tensor => {
      let h = input;
      for (const layer of model.layers.slice(split)) h = layer.apply(h) as tf.Tensor;
      return h;
    };
    const gradient = tf.grad((input: tf.Tensor) => {
      const logits = head(input);
      return tf.sum(tf.mul(logits, oneHotRows(tf.argMax(logits, 1), logits.shape[1] as number)));
    })(features);
    const weights = tf.mean(gradient, [1, 2], true);
    return tf.sum(tf.mul(weights, features), -1, true);
  });
}
