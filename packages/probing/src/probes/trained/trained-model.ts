import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';
import { describeStructure, isTensor, seededRandom } from '@tdhook/core/plugin';

import type { Training } from './training-options.js';

/**
 * What differs between the TF.js-trained estimators: their parameters and their forward computation.
 * Internal to the estimators of this folder.
 */
export interface Architecture {
  readonly name: string;
  /** How many inputs `fit`/`predict` take: 1 (linear) or 2 (bilinear). */
  readonly inputs: 1 | 2;
  /** Initial parameters for inputs of `dims` features, drawn from `random` (the caller disposes them). */
  init(dims: readonly number[], features: number, random: () => number): Record<string, tf.Tensor>;
  /** The raw outputs `[n, features]` (logits or regression values). */
  forward(parameters: Readonly<Record<string, tf.Tensor>>, inputs: readonly tf.Tensor[]): tf.Tensor;
}

/**
 * Uniform draws in `[−bound, bound)` from a seeded source: torch's default `nn.Linear`/`nn.Bilinear`
 * initialisation, reproducible on every backend.
 *
 * @example
 * uniformTensor([3, 2], 1 / Math.sqrt(3), seededRandom(0));
 */
export function uniformTensor(shape: readonly number[], bound: number, random: () => number): tf.Tensor {
  const size = shape.reduce((total, dim) => total * dim, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = (2 * random() - 1) * bound;
  return tf.tensor(values, [...shape], 'float32');
}

/** A seeded Fisher–Yates permutation of `0 … n−1`. */
function permutation(n: number, random: () => number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i] as number;
    order[i] = order[j] as number;
    order[j] = swap;
  }
  return order;
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * The state and training loop of a TF.js-trained estimator (the original's `TorchEstimator`): parameters as
 * variables it owns (made from the input widths given, or at the first fit), Adam (β 0.9/0.999, ε 1e-8, as
 * torch) on mini-batches shuffled with the seeded source, cross-entropy or mean squared error.
 *
 * @example
 * const model = new TrainedModel(linearArchitecture, trainingOf({ classes: 2 }, 'linearProbe'), undefined, 'linearProbe');
 * model.fit([x], labels);
 * const predicted = model.predict([x]); // int32 [n]
 */
export class TrainedModel {
  readonly #architecture: Architecture;
  readonly #training: Training;
  readonly #random: () => number;
  readonly #where: string;
  #parameters: Record<string, tf.Variable> | undefined;
  #dims: readonly number[] | undefined;
  #fitted = false;
  #disposed = false;

  constructor(
    architecture: Architecture,
    training: Training,
    dims: readonly number[] | undefined,
    where: string,
  ) {
    this.#architecture = architecture;
    this.#training = training;
    this.#random = seededRandom(training.seed);
    this.#where = where;
    if (dims !== undefined) this.#build(dims);
  }

  get fitted(): boolean {
    return this.#fitted;
  }

  /** The parameters by name, lent (valid until dispose); empty before they are made. */
  get parameters(): Readonly<Record<string, tf.Variable>> {
    return this.#parameters ?? {};
  }

  /** The raw outputs `[n, features]` for `inputs`, as a new tensor. */
  forward(inputs: readonly tf.Tensor[]): tf.Tensor {
    this.#checkInputs(inputs, 'forward');
    const parameters = this.#parameters;
    if (parameters === undefined) {
      throw new InvalidValueError({
        what: `${this.#architecture.name} has no parameters yet`,
        where: `${this.#where}.forward`,
        fix: 'Give the input widths (inputs) when constructing it, or fit it first.',
      });
    }
    return tf.tidy(() => this.#architecture.forward(parameters, inputs));
  }

  fit(inputs: readonly tf.Tensor[], y: tf.Tensor): void {
    const n = this.#checkInputs(inputs, 'fit');
    if (this.#parameters === undefined) this.#build(inputs.map((input) => input.shape[1] as number));
    const parameters = this.#parameters as Record<string, tf.Variable>;
    const target = this.#target(y, n);
    const { epochs, batchSize, learningRate, onProgress } = this.#training;
    const optimizer = tf.train.adam(learningRate, 0.9, 0.999, 1e-8);
    const variables = Object.values(parameters);
    const lossOf = (outputs: tf.Tensor, expected: tf.Tensor): tf.Scalar =>
      (this.#training.classes === undefined
        ? tf.mean(tf.squaredDifference(outputs, expected))
        : tf.neg(tf.mean(tf.sum(tf.mul(expected, tf.logSoftmax(outputs)), 1)))) as tf.Scalar;
    try {
      for (let epoch = 1; epoch <= epochs; epoch++) {
        const report = onProgress !== undefined && epoch % 10 === 0;
        const order = permutation(n, this.#random);
        let lossSum = 0;
        let batches = 0;
        for (let start = 0; start < n; start += batchSize) {
          const index = tf.tensor1d(order.subarray(start, Math.min(start + batchSize, n)), 'int32');
          const batch = inputs.map((input) => tf.gather(input, index));
          const expected = tf.gather(target, index);
          try {
            // minimize tidies its own intermediates; only the cost (when asked for) comes back.
            const cost = optimizer.minimize(
              () => lossOf(this.#architecture.forward(parameters, batch), expected),
              report,
              variables,
            );
            if (cost !== null) {
              lossSum += cost.dataSync()[0] as number;
              cost.dispose();
            }
          } finally {
            tf.dispose([index, ...batch, expected]);
          }
          batches++;
        }
        if (report) {
          onProgress({ epoch, epochs, loss: lossSum / batches, message: `Epoch ${epoch}/${epochs}` });
        }
      }
    } finally {
      optimizer.dispose();
      target.dispose();
    }
    this.#fitted = true;
  }

  predict(inputs: readonly tf.Tensor[]): tf.Tensor {
    if (!this.#fitted) {
      throw new InvalidValueError({
        what: `${this.#architecture.name} is not fitted`,
        where: `${this.#where}.predict`,
        fix: 'Call fit first.',
      });
    }
    const outputs = this.forward(inputs);
    if (this.#training.classes === undefined) return outputs;
    try {
      return tf.argMax(outputs, -1);
    } finally {
      outputs.dispose();
    }
  }

  dispose(): void {
    if (this.#parameters !== undefined)
      for (const variable of Object.values(this.#parameters)) variable.dispose();
    this.#parameters = undefined;
    this.#disposed = true;
  }

  #build(dims: readonly number[]): void {
    if (
      dims.length !== this.#architecture.inputs ||
      dims.some((dim) => !Number.isSafeInteger(dim) || dim < 1)
    ) {
      throw new InvalidValueError({
        what: `${this.#architecture.name} needs ${this.#architecture.inputs} input width(s), got ${describeStructure(dims)}`,
        where: `${this.#where}: inputs`,
      });
    }
    const initial = this.#architecture.init(dims, this.#training.features, this.#random);
    const parameters: Record<string, tf.Variable> = {};
    for (const [name, value] of Object.entries(initial)) {
      parameters[name] = tf.variable(value, true);
      value.dispose();
    }
    this.#parameters = parameters;
    this.#dims = dims;
  }

  /** Checks the inputs and returns their row count. */
  #checkInputs(inputs: readonly tf.Tensor[], method: string): number {
    const where = `${this.#where}.${method}`;
    if (this.#disposed) {
      throw new InvalidValueError({
        what: `${this.#architecture.name} was disposed`,
        where,
        fix: 'Make a new one.',
      });
    }
    if (inputs.length !== this.#architecture.inputs) {
      throw new InvalidValueError({
        what: `${this.#architecture.name} expects ${this.#architecture.inputs} input tensor${this.#architecture.inputs === 1 ? '' : 's'}, got ${inputs.length}`,
        where,
      });
    }
    const rows = inputs[0]?.shape[0];
    inputs.forEach((input, index) => {
      if (!isTensor(input) || input.rank !== 2 || input.dtype !== 'float32') {
        throw new InvalidValueError({
          what: `Input ${index} must be a float32 tensor [n, d], got ${describeStructure(input)}`,
          where,
          fix: 'Flatten activations to rows first (a Probe does).',
        });
      }
      const width = this.#dims?.[index];
      if (input.shape[0] !== rows || (width !== undefined && input.shape[1] !== width)) {
        throw new ShapeMismatchError({
          what: `Input ${index} has shape ${shapeText(input.shape)}; expected [${rows ?? 'n'}, ${width ?? 'd'}]`,
          where,
          fix: 'Give every input the same rows, and the widths the estimator was built for.',
        });
      }
    });
    return rows as number;
  }

  /** The training target: one-hot float32 `[n, classes]` for a classifier, `y` as float32 for a regression. */
  #target(y: tf.Tensor, n: number): tf.Tensor {
    const where = `${this.#where}.fit`;
    const { classes, features } = this.#training;
    const outputShape = [n, features];
    const expectedShape = classes === undefined ? outputShape : [n];
    if (
      !isTensor(y) ||
      y.shape.length !== expectedShape.length ||
      y.shape.some((dim, i) => dim !== expectedShape[i])
    ) {
      throw new ShapeMismatchError({
        what: `Output shape ${shapeText(outputShape)} does not match target shape ${isTensor(y) ? shapeText(y.shape) : describeStructure(y)}`,
        where,
        fix:
          classes === undefined
            ? `A regression needs targets [n, ${features}] (set outputs for several).`
            : 'A classifier needs one label per row, [n].',
      });
    }
    if (classes === undefined) return tf.cast(y, 'float32');
    const values = y.dataSync();
    for (const value of values) {
      const label = value;
      if (!Number.isInteger(label) || label < 0 || label >= classes) {
        throw new InvalidValueError({
          what: `Label ${label} is not a class index 0…${classes - 1}`,
          where,
          fix: `Encode labels as whole numbers below classes (${classes}).`,
        });
      }
    }
    return tf.tidy(() => tf.oneHot(tf.cast(y, 'int32'), classes));
  }
}
