import * as tf from '@tensorflow/tfjs-core';

/**
 * How the attributions of the noisy copies are combined (captum's `nt_type`): `'smoothgrad'` their mean
 * (Smilkov et al., 2017), `'smoothgrad_sq'` the mean of their squares, `'vargrad'` their variance
 * (Adebayo et al., 2018).
 *
 * @example
 * const kind: NoiseTunnelKind = 'vargrad';
 */
export type NoiseTunnelKind = 'smoothgrad' | 'smoothgrad_sq' | 'vargrad';

/**
 * Every {@link NoiseTunnelKind}.
 *
 * @example
 * noiseTunnelKinds.includes(kind); // a known kind
 */
export const noiseTunnelKinds: readonly NoiseTunnelKind[] = /* @__PURE__ */ Object.freeze([
  'smoothgrad',
  'smoothgrad_sq',
  'vargrad',
]);

/**
 * Combines the attributions of the noisy copies, stacked on axis 0 (`[samples, ...]`), into one. The
 * variance is the population variance `mean((a − mean a)²)`, equal to captum's `E[a²] − E[a]²` without its
 * cancellation.
 *
 * @example
 * const smooth = aggregateSamples(stacked, 'smoothgrad'); // stacked [10, 4, 16] → [4, 16]
 */
export function aggregateSamples(samples: tf.Tensor, kind: NoiseTunnelKind): tf.Tensor {
  return tf.tidy(() => {
    if (kind === 'smoothgrad') return tf.mean(samples, 0);
    if (kind === 'smoothgrad_sq') return tf.mean(tf.square(samples), 0);
    return tf.mean(tf.square(tf.sub(samples, tf.mean(samples, 0, true))), 0);
  });
}

/**
 * The noise of one input: `samples` draws of `N(0, stdev²)` shaped like it (`[samples, ...shape]`),
 * seeded when `seed` is given (the noise tunnel seeds input number k with `seed + k`).
 *
 * @example
 * const noise = gaussianNoise([4, 16], 10, 0.1, 7); // [10, 4, 16], the same for the same seed
 */
export function gaussianNoise(
  shape: readonly number[],
  samples: number,
  stdev: number,
  seed: number | undefined,
): tf.Tensor {
  // TF.js takes a numeric seed of 0 as "no seed" and draws a random one; the string '0' seeds its generator
  // the same way every time (it hashes seed.toString()), so seed 0 is reproducible like any other.
  const tfSeed = seed === 0 ? ('0' as unknown as number) : seed;
  return tf.randomNormal([samples, ...shape], 0, stdev, 'float32', tfSeed);
}
