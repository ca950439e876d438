import type { SparseActivation } from './sparse-activation.js';
import { SparseDictionary } from './sparse-dictionary.js';

/**
 * Options of {@link SparseAutoencoder}.
 *
 * @example
 * const options: SparseAutoencoderOptions = { inputSize: 128, features: 512, activation: { topK: 16 }, seed: 0 };
 */
export interface SparseAutoencoderOptions {
  /** The width of the activations (their last axis). */
  readonly inputSize: number;
  /** The number of dictionary features (often 2–16 × inputSize). */
  readonly features: number;
  /** `'relu'` (sparse through the trainer's L1 penalty) or `{ topK: k }`. Default `'relu'`. */
  readonly activation?: SparseActivation;
  /** Use `W_encᵀ` as the decoder (fewer parameters). Default false. */
  readonly tied?: boolean;
  /** Rescale every decoder direction to unit norm after each training step. Default true. */
  readonly normalizeDecoder?: boolean;
  /** Seed of the initial weights (random unit directions). Default 0. */
  readonly seed?: number;
}

/**
 * A sparse autoencoder (the Anthropic / OpenAI standard form): `f = σ((x − b_dec) W_enc + b_enc)`,
 * `x̂ = f W_dec + b_dec`, with σ ReLU or TopK, a tied or untied decoder and unit-norm decoder directions.
 * A core `Module` (hookable, parameters `W_enc`, `b_enc`, `W_dec`, `b_dec`) and an adapter: `call(x)` returns
 * the reconstruction of activations `[..., inputSize]`. Train it with {@link trainSparseAutoencoder}; dispose it
 * when done.
 *
 * @example
 * using cache = … // an ActivationCache or a TensorDict of activations [rows, 128] under 'resid'
 * const sae = new SparseAutoencoder({ inputSize: 128, features: 512, activation: { topK: 16 }, seed: 0 });
 * await trainSparseAutoencoder(sae, { data: activations, key: 'resid', epochs: 5 });
 * const features = sae.encode(x); // [..., 512], 16 non-zero per row
 * const reconstruction = sae.call(x);
 * sae.dispose();
 */
export class SparseAutoencoder extends SparseDictionary {
  constructor(options: SparseAutoencoderOptions) {
    super({
      inputSize: options.inputSize,
      outputSize: options.inputSize,
      features: options.features,
      activation: options.activation ?? 'relu',
      tied: options.tied ?? false,
      normalizeDecoder: options.normalizeDecoder ?? true,
      preEncoderBias: true,
      seed: options.seed ?? 0,
      where: 'new SparseAutoencoder',
    });
  }
}
