import * as tf from '@tensorflow/tfjs-core';

import {
  formatKey,
  InvalidValueError,
  MissingKeyError,
  toKeyPath,
  type TensorDict,
  type Key,
  type KeyPath,
  type MethodPlan,
} from '@tdhook/core';
import { isTensor, keyId, keyStartsWith, type MethodModelInfo, type MethodRunner } from '@tdhook/core/plugin';

import { defaultAttributionKey } from '../gradient-method.js';

import { aggregateSamples, gaussianNoise } from './aggregate.js';
import type { ConfiguredNoiseTunnelOptions } from './noise-tunnel.js';

/** The options of the wrapped method that the noise tunnel reads, when it has them. */
interface InnerOptions {
  readonly inputs?: readonly Key[];
  readonly attributionKey?: Key;
}

interface NoisedInput {
  readonly key: KeyPath;
  readonly stdev: number;
  /** Listed by the user (then it must be a float32 input) rather than by default. */
  readonly explicit: boolean;
}

function noisedInputs(
  options: ConfiguredNoiseTunnelOptions,
  model: MethodModelInfo,
  where: string,
): NoisedInput[] {
  const inner = (options.method.options ?? {}) as InnerOptions;
  const listed =
    options.inputs ?? (inner.inputs !== undefined && inner.inputs.length > 0 ? inner.inputs : undefined);
  const keys = (listed ?? model.inKeys).map((key) => toKeyPath(key));
  const { stdev } = options;
  return keys.map((key) => {
    const name = key.join('.');
    const value = typeof stdev === 'number' ? stdev : stdev[name];
    if (value === undefined) {
      throw new InvalidValueError({
        what: `stdev gives no noise level for input ${formatKey(key)}`,
        where,
        fix: `Add '${name}' to stdev, or give one number for every input.`,
      });
    }
    return { key, stdev: value, explicit: listed !== undefined };
  });
}

/** The inputs of one run of the wrapped method: `count` copies from copy `first` (copy 0 is the clean one). */
function copiesOf(
  data: TensorDict,
  inputs: readonly NoisedInput[],
  noise: readonly tf.Tensor[],
  first: number,
  count: number,
): TensorDict {
  const copies = data.expand([count, ...data.batchShape]);
  try {
    inputs.forEach(({ key }, index) => {
      const noisy = tf.tidy(() => {
        const x = tf.expandDims(data.getTensor(key), 0);
        const clean = first === 0 ? [x] : [];
        const noisyCount = count - clean.length;
        const start = Math.max(first - 1, 0);
        const shifted =
          noisyCount > 0 ? [tf.add(x, tf.slice(noise[index] as tf.Tensor, start, noisyCount))] : [];
        const parts = [...clean, ...shifted];
        return parts.length === 1 ? (parts[0] as tf.Tensor) : tf.concat(parts, 0);
      });
      copies.set(key, noisy);
    });
    return copies;
  } catch (error) {
    copies.dispose();
    throw error;
  }
}

/**
 * The runner of the noise tunnel: runs the wrapped method on noisy copies (batched on a new leading dim,
 * `samplesPerPass` at a time, the clean input first), aggregates its attribution keys over the noisy copies
 * and takes its other outputs from the clean one.
 *
 * @example
 * bind: (options, context) => noiseTunnelRunner(options, inner, plan, model, id),
 */
export function noiseTunnelRunner(
  options: ConfiguredNoiseTunnelOptions,
  inner: MethodRunner,
  plan: MethodPlan,
  model: MethodModelInfo,
  where: string,
): MethodRunner {
  const { samples, kind, samplesPerPass: perPass } = options;
  const prefix = toKeyPath(
    ((options.method.options ?? {}) as InnerOptions).attributionKey ?? defaultAttributionKey,
  );
  const attributionKeys = plan.outKeys.filter((key) => keyStartsWith(key, prefix));
  const otherKeys = plan.outKeys.filter((key) => !keyStartsWith(key, prefix));
  const inputs = noisedInputs(options, model, where);
  return {
    run: (data) => {
      const used = inputs.filter(({ key, explicit }) => {
        if (!data.has(key)) {
          throw new MissingKeyError({
            what: `The noised input ${formatKey(key)} is not in the TensorDict`,
            where,
            fix: 'Add it, or list the inputs to noise: noiseTunnel(method, { inputs: [...] }).',
          });
        }
        const dtype = data.getTensor(key).dtype;
        if (dtype === 'float32') return true;
        if (!explicit) return false; // token ids and masks get no noise
        throw new InvalidValueError({
          what: `The noised input ${formatKey(key)} is ${dtype}; noise is added to float32 inputs only`,
          where,
          fix: 'Leave it out of inputs.',
        });
      });
      const noise = used.map(({ key, stdev }, index) =>
        gaussianNoise(
          data.getTensor(key).shape,
          samples,
          stdev,
          options.seed === undefined ? undefined : options.seed + index,
        ),
      );
      const noisy = new Map<string, tf.Tensor[]>(attributionKeys.map((key) => [keyId(key), []]));
      const clean = new Map<string, tf.Tensor>();
      try {
        for (let first = 0; first <= samples; first += perPass) {
          const count = Math.min(perPass, samples + 1 - first);
          using copies = copiesOf(data, used, noise, first, count);
          using result = inner.run(copies);
          const skip = first === 0 ? 1 : 0;
          for (const key of attributionKeys) {
            const value = result.get(key);
            if (isTensor(value) && count > skip)
              noisy.get(keyId(key))?.push(tf.slice(value, skip, count - skip));
          }
          if (first !== 0) continue;
          for (const key of otherKeys) {
            const value = result.has(key) ? result.get(key) : undefined;
            if (isTensor(value))
              clean.set(
                keyId(key),
                tf.tidy(() => tf.squeeze(tf.slice(value, 0, 1), [0])),
              );
          }
        }
        const output = data.clone();
        try {
          for (const key of otherKeys) {
            const value = clean.get(keyId(key));
            if (value !== undefined) output.set(key, value);
            clean.delete(keyId(key));
          }
          for (const key of attributionKeys) {
            const parts = noisy.get(keyId(key)) ?? [];
            if (parts.length === 0) continue;
            output.set(
              key,
              tf.tidy(() =>
                aggregateSamples(parts.length === 1 ? (parts[0] as tf.Tensor) : tf.concat(parts, 0), kind),
              ),
            );
          }
          return output;
        } catch (error) {
          output.dispose();
          throw error;
        }
      } finally {
        tf.dispose([...noise, ...[...noisy.values()].flat(), ...clean.values()]);
      }
    },
  };
}
