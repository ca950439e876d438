import type { SparseActivation } from './sparse-activation.js';
import { SparseDictionary } from './sparse-dictionary.js';

/**
 * Options of {@link Transcoder}.
 *
 * @example
 * const options: TranscoderOptions = { inputSize: 128, outputSize: 128, features: 512, activation: { topK: 16 } };
 */
export interface TranscoderOptions {
  /** The width of the input activations (e.g. an MLP's input). */
  readonly inputSize: number;
  /** The width of the target (e.g. the MLP's output). */
  readonly outputSize: number;
  /** The number of dictionary features. */
  readonly features: number;
  /** `'relu'` (sparse through the trainer's L1 penalty) or `{ topK: k }`. Default `'relu'`. */
  readonly activation?: SparseActivation;
  /** Rescale every decoder direction to unit norm after each training step. Default true. */
  readonly normalizeDecoder?: boolean;
  /** Seed of the initial weights. Default 0. */
  readonly seed?: number;
}

/**
 * A transcoder: a sparse dictionary that reads one activation and predicts another (an MLP's output from its
 * input), `f = σ(x W_enc + b_enc)`, `ŷ = f W_dec + b_dec`. A core `Module` and an adapter for a cross-layer
 * splice: `call(x)` predicts the target from `[..., inputSize]`. Train it with {@link trainTranscoder}.
 *
 * @example
 * const transcoder = new Transcoder({ inputSize: 128, outputSize: 128, features: 512, activation: { topK: 16 } });
 * await trainTranscoder(transcoder, { data: cached, inputKey: 'mlp_in', targetKey: 'mlp_out', epochs: 5 });
 * const prediction = transcoder.call(mlpInput); // [..., 128]
 * transcoder.dispose();
 */
export class Transcoder extends SparseDictionary {
  constructor(options: TranscoderOptions) {
    super({
      inputSize: options.inputSize,
      outputSize: options.outputSize,
      features: options.features,
      activation: options.activation ?? 'relu',
      tied: false,
      normalizeDecoder: options.normalizeDecoder ?? true,
      preEncoderBias: false,
      seed: options.seed ?? 0,
      where: 'new Transcoder',
    });
  }
}
