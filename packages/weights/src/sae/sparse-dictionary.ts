import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, ShapeMismatchError } from '@tdhook/core';

import { applyActivation, checkActivation, type SparseActivation } from './sparse-activation.js';
import { unitRows } from './seeded-init.js';

/** What a {@link SparseDictionary} is built from (its subclasses fix some of it). */
export interface SparseDictionaryInit {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly features: number;
  readonly activation: SparseActivation;
  readonly tied: boolean;
  readonly normalizeDecoder: boolean;
  /** Subtract `b_dec` from the input before encoding (an autoencoder's pre-encoder bias). */
  readonly preEncoderBias: boolean;
  readonly seed: number;
  readonly where: string;
}

function checkSize(value: unknown, name: string, where: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidValueError({
      what: `${name} must be a positive integer, got ${String(value)}`,
      where,
      fix: `Pass the width as a whole number, e.g. ${name}: 128.`,
    });
  }
}

/**
 * The shared body of {@link SparseAutoencoder} and {@link Transcoder}: a one-layer sparse dictionary
 * `f = σ((x − b_pre) W_enc + b_enc)`, `x̂ = f W_dec + b_dec`, with parameters `W_enc [in, features]`,
 * `b_enc [features]`, `W_dec [features, out]` (absent when tied: `W_encᵀ` is used) and `b_dec [out]`.
 *
 * @example
 * const sae = new SparseAutoencoder({ inputSize: 64, features: 256 }); // a SparseDictionary
 * sae.features; // 256
 */
export abstract class SparseDictionary extends Module<[tf.Tensor]> {
  /** The width of the input's last axis. */
  readonly inputSize: number;
  /** The width of the output's last axis (the input's for an autoencoder). */
  readonly outputSize: number;
  /** The number of dictionary features. */
  readonly features: number;
  /** How features are made sparse. */
  readonly activation: SparseActivation;
  /** Whether the decoder is the encoder's transpose. */
  readonly tied: boolean;
  /** Whether the trainers rescale every decoder direction to unit norm after each step. */
  readonly normalizeDecoder: boolean;
  readonly #preEncoderBias: boolean;
  /** `W_enc`, `[inputSize, features]`. */
  readonly encoderWeight: tf.Variable;
  /** `b_enc`, `[features]`. */
  readonly encoderBias: tf.Variable;
  /** `W_dec`, `[features, outputSize]`; undefined when tied. */
  readonly #decoderWeight: tf.Variable | undefined;
  /** `b_dec`, `[outputSize]`. */
  readonly decoderBias: tf.Variable;

  protected constructor(init: SparseDictionaryInit) {
    super();
    checkSize(init.inputSize, 'inputSize', init.where);
    checkSize(init.outputSize, 'outputSize', init.where);
    checkSize(init.features, 'features', init.where);
    checkActivation(init.activation, init.features, init.where);
    if (!Number.isInteger(init.seed)) {
      throw new InvalidValueError({
        what: `seed must be an integer, got ${String(init.seed)}`,
        where: init.where,
        fix: 'Pass a whole number, e.g. seed: 0.',
      });
    }
    if (init.tied && init.inputSize !== init.outputSize) {
      throw new InvalidValueError({
        what: `A tied dictionary needs inputSize = outputSize, got ${String(init.inputSize)} and ${String(init.outputSize)}`,
        where: init.where,
        fix: 'Untie the decoder (tied: false).',
      });
    }
    this.inputSize = init.inputSize;
    this.outputSize = init.outputSize;
    this.features = init.features;
    this.activation = init.activation;
    this.tied = init.tied;
    this.normalizeDecoder = init.normalizeDecoder;
    this.#preEncoderBias = init.preEncoderBias;
    // Decoder directions: random unit vectors. The encoder starts as the decoder's transpose when the widths
    // agree (a common SAE start), else as its own random unit directions.
    const decoder = unitRows(init.features, init.outputSize, init.seed);
    const sameWidth = init.inputSize === init.outputSize;
    const encoderRows = sameWidth ? decoder : unitRows(init.features, init.inputSize, init.seed + 1);
    this.encoderWeight = this.registerParameter(
      'W_enc',
      tf.tidy(() => tf.transpose(tf.tensor2d(encoderRows, [init.features, init.inputSize]))),
    );
    this.encoderBias = this.registerParameter('b_enc', tf.zeros([init.features]));
    this.#decoderWeight = init.tied
      ? undefined
      : this.registerParameter('W_dec', tf.tensor2d(decoder, [init.features, init.outputSize]));
    this.decoderBias = this.registerParameter('b_dec', tf.zeros([init.outputSize]));
  }

  /** The parameters the trainers update, in registration order. */
  get trainableVariables(): tf.Variable[] {
    return this.namedParameters().map(([, variable]) => variable);
  }

  /** `W_dec` `[features, outputSize]` (for a tied dictionary, a new tensor `W_encᵀ`: dispose it). */
  decoderWeight(): tf.Tensor2D {
    return (this.#decoderWeight ?? tf.transpose(this.encoderWeight)) as tf.Tensor2D;
  }

  /**
   * Feature activations of `x` `[..., inputSize]`: `[..., features]`, sparse (ReLU or TopK). The caller owns
   * the result.
   */
  encode(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const rows = this.#rows(x, this.inputSize, 'encode');
      return tf.reshape(this.encodeRows(rows), [...x.shape.slice(0, -1), this.features]);
    });
  }

  /** The output `[..., outputSize]` decoded from feature activations `f` `[..., features]`. */
  decode(f: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const rows = this.#rows(f, this.features, 'decode');
      return tf.reshape(this.decodeRows(rows), [...f.shape.slice(0, -1), this.outputSize]);
    });
  }

  /** `decode(encode(x))` on `[..., inputSize]`: the reconstruction (autoencoder) or prediction (transcoder). */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const rows = this.#rows(x, this.inputSize, 'call');
      return tf.reshape(this.decodeRows(this.encodeRows(rows)), [...x.shape.slice(0, -1), this.outputSize]);
    });
  }

  /** Pre-activations of rows `[n, inputSize]` (no checks; used by the trainers inside their own tidy). */
  preActivationRows(x: tf.Tensor2D): tf.Tensor2D {
    const centred = this.#preEncoderBias ? tf.sub(x, this.decoderBias) : x;
    return tf.add(tf.matMul(centred, this.encoderWeight), this.encoderBias);
  }

  /** Feature activations of rows `[n, inputSize]` (no checks). */
  encodeRows(x: tf.Tensor2D): tf.Tensor2D {
    return applyActivation(this.preActivationRows(x), this.activation);
  }

  /** Outputs of feature rows `[n, features]` (no checks). */
  decodeRows(f: tf.Tensor2D): tf.Tensor2D {
    const weight = this.#decoderWeight;
    const product =
      weight === undefined ? tf.matMul(f, this.encoderWeight, false, true) : tf.matMul(f, weight);
    return tf.add(product, this.decoderBias);
  }

  /** Rescales every decoder direction (a row of `W_dec`, or a column of a tied `W_enc`) to unit norm. */
  normalizeDecoderDirections(): void {
    tf.tidy(() => {
      const weight = this.#decoderWeight;
      if (weight === undefined) {
        const norms = tf.maximum(tf.norm(this.encoderWeight, 2, 0, true), 1e-12);
        this.encoderWeight.assign(tf.div(this.encoderWeight, norms));
      } else {
        const norms = tf.maximum(tf.norm(weight, 2, 1, true), 1e-12);
        weight.assign(tf.div(weight, norms));
      }
    });
  }

  #rows(x: tf.Tensor, width: number, method: string): tf.Tensor2D {
    if (x.rank < 1 || x.shape[x.rank - 1] !== width) {
      throw new ShapeMismatchError({
        what: `${this.typeName}.${method} expects [..., ${String(width)}], got [${x.shape.join(', ')}]`,
        where: `${this.typeName}.${method}`,
        fix: `Pass activations whose last axis has ${String(width)} entries.`,
      });
    }
    const float = x.dtype === 'float32' ? x : tf.cast(x, 'float32');
    return tf.reshape(float, [-1, width]);
  }
}
