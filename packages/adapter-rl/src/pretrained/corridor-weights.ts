import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, readParameters, TensorDict, writeParameters } from '@tdhook/core';

import { QNetwork, type QNetworkOptions } from '../policies/q-network.js';

/**
 * One parameter of committed weights: its key (`'features.0.kernel'`), shape and float32 values, little-endian,
 * as base64 (plain text that works in browsers and bundles).
 *
 * @example
 * const entry: EncodedParameter = { key: 'policy_head.bias', shape: [2], data: 'AAAAAAAAAAA=' };
 */
export interface EncodedParameter {
  readonly key: string;
  readonly shape: readonly number[];
  readonly data: string;
}

/**
 * Committed QNetwork weights (what `scripts/train-corridor-q.ts` writes to `corridor-q.ts`): a versioned
 * format, the network's configuration, how it was trained and what it reached, and the parameters.
 *
 * @example
 * const weights: QNetworkWeights = corridorQWeights;
 * weights.training.closedLoopSuccess; // 1
 */
export interface QNetworkWeights {
  readonly format: 'tdhook.q-network-weights';
  readonly version: 1;
  readonly config: Required<Omit<QNetworkOptions, 'seed'>> & { readonly seed: number };
  readonly training: Readonly<Record<string, number | string>>;
  readonly parameters: readonly EncodedParameter[];
}

const where = 'loadQNetworkWeights';

function toBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string, size: number, key: string): Float32Array {
  const binary = atob(text);
  if (binary.length !== size * 4) {
    throw new InvalidValueError({
      what: `Parameter ${key} holds ${binary.length / 4} values, its shape needs ${size}`,
      where,
      fix: 'Regenerate the weights with the training script.',
    });
  }
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return new Float32Array(bytes.buffer);
}

/**
 * The parameters of a QNetwork, encoded for a committed TS module (see {@link QNetworkWeights}).
 *
 * @example
 * const parameters = encodeQNetworkParameters(network);
 */
export function encodeQNetworkParameters(network: QNetwork): EncodedParameter[] {
  using snapshot = readParameters(network);
  return snapshot.keys().map((path) => {
    const tensor = snapshot.getTensor(path);
    return {
      key: path.join('.'),
      shape: [...tensor.shape],
      data: toBase64(tensor.dataSync() as Float32Array),
    };
  });
}

/**
 * A new QNetwork with committed weights (all checked before any is written). The caller disposes it.
 *
 * @example
 * const network = loadQNetworkWeights(corridorQWeights);
 */
export function loadQNetworkWeights(weights: QNetworkWeights): QNetwork {
  const { format, version } = weights as { format: unknown; version: unknown };
  if (format !== 'tdhook.q-network-weights' || version !== 1) {
    throw new InvalidValueError({
      what: `Unknown weights format ${JSON.stringify(format)} version ${JSON.stringify(version)}`,
      where,
      fix: "Pass weights in 'tdhook.q-network-weights' version 1, as the training script writes them.",
    });
  }
  const network = new QNetwork(weights.config);
  try {
    using params = new TensorDict(
      weights.parameters.map((entry) => {
        const size = entry.shape.reduce((total, dim) => total * dim, 1);
        return [entry.key, tf.tensor(fromBase64(entry.data, size, entry.key), [...entry.shape])] as const;
      }),
    );
    writeParameters(network, params);
  } catch (error) {
    network.dispose();
    throw error;
  }
  return network;
}
