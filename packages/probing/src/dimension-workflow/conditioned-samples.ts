import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';
import { isTensor } from '@tdhook/core/plugin';

/**
 * Options of {@link channelConditionedSamples} and {@link spatialConditionedSamples}: where the channel axis of
 * the activations is.
 *
 * @example
 * const options: ConditionedSamplesOptions = { dataFormat: 'channelsFirst' }; // [S, C, H, W], as in PyTorch
 */
export interface ConditionedSamplesOptions {
  /**
   * `'channelsLast'` for `[S, …, C]` (TF.js layers' convention, and tdhook's), `'channelsFirst'` for
   * `[S, C, …]` (PyTorch's, the original's). Default `'channelsLast'`.
   */
  readonly dataFormat?: 'channelsLast' | 'channelsFirst';
}

function checkActivations(
  activations: tf.Tensor,
  options: ConditionedSamplesOptions,
  where: string,
): 'channelsLast' | 'channelsFirst' {
  if (!isTensor(activations)) {
    throw new InvalidValueError({
      what: 'The activations are not a tensor',
      where,
      fix: 'Pass the cached activation tensor, e.g. result.getTensor(["activations", "cache", "conv1"]).',
    });
  }
  const format: unknown = options.dataFormat ?? 'channelsLast';
  if (format !== 'channelsLast' && format !== 'channelsFirst') {
    throw new InvalidValueError({
      what: `dataFormat must be 'channelsLast' or 'channelsFirst', got ${JSON.stringify(format)}`,
      where,
      fix: "Use 'channelsLast' for [S, …, C] activations (TF.js), 'channelsFirst' for [S, C, …].",
    });
  }
  return format;
}

const shapeText = (tensor: tf.Tensor): string => `[${tensor.shape.join(', ')}]`;

/**
 * Arranges activations so that every channel is a condition with its own point cloud: `[S, …, C]` (channels
 * last) or `[S, C, …]` (channels first) becomes `[C, S, ∏…]`: for channel c, the S samples as points whose
 * features are that channel's values at every remaining position. A dimension estimator then gives one
 * dimension per channel. Needs rank ≥ 3 (the original's `channel_conditioned_samples`). Returns a new tensor.
 *
 * @example
 * const samples = channelConditionedSamples(conv); // conv [8, 2, 2, 4] → [4, 8, 4]
 * samples.dispose();
 */
export function channelConditionedSamples(
  activations: tf.Tensor,
  options: ConditionedSamplesOptions = {},
): tf.Tensor {
  const where = 'channelConditionedSamples';
  const format = checkActivations(activations, options, where);
  if (activations.rank < 3) {
    throw new ShapeMismatchError({
      what: `Channel-conditioned activations need shape ${format === 'channelsLast' ? '[samples, ..., channels]' : '[samples, channels, ...]'} (rank ≥ 3), got ${shapeText(activations)}`,
      where,
      fix: 'Cache a layer whose output keeps positions and channels (a convolution), or use the activations as samples directly.',
    });
  }
  const rank = activations.rank;
  const samples = activations.shape[0];
  const channelAxis = format === 'channelsLast' ? rank - 1 : 1;
  const channels = activations.shape[channelAxis] as number;
  const rest = Array.from({ length: rank }, (_, axis) => axis).filter(
    (axis) => axis !== 0 && axis !== channelAxis,
  );
  return tf.tidy(() =>
    tf.reshape(tf.transpose(activations, [channelAxis, 0, ...rest]), [channels, samples, -1]),
  );
}

/**
 * Arranges image-like activations by position: `[S, H, W, C]` (channels last) or `[S, C, H, W]` (channels
 * first) becomes `[H·W, S, C]`: for each of the H·W positions (row-major), the S samples as points whose
 * features are the C channels there. Needs rank 4 (the original's `spatial_conditioned_samples`). Returns a
 * new tensor.
 *
 * @example
 * const samples = spatialConditionedSamples(conv); // conv [8, 2, 2, 4] → [4, 8, 4]
 * samples.dispose();
 */
export function spatialConditionedSamples(
  activations: tf.Tensor,
  options: ConditionedSamplesOptions = {},
): tf.Tensor {
  const where = 'spatialConditionedSamples';
  const format = checkActivations(activations, options, where);
  if (activations.rank !== 4) {
    throw new ShapeMismatchError({
      what: `Spatial-conditioned activations need shape ${format === 'channelsLast' ? '[samples, height, width, channels]' : '[samples, channels, height, width]'}, got ${shapeText(activations)}`,
      where,
      fix: 'Cache a 2-D convolution or pooling layer (rank 4).',
    });
  }
  const [samples, ...others] = activations.shape as [number, number, number, number];
  const [height, width, channels] =
    format === 'channelsLast' ? others : ([others[1], others[2], others[0]] as const);
  const order = format === 'channelsLast' ? [1, 2, 0, 3] : [2, 3, 0, 1];
  return tf.tidy(() => tf.reshape(tf.transpose(activations, order), [height * width, samples, channels]));
}
