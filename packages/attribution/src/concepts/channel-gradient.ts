import * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError, type GradientHook } from '@tdhook/core';

import { checkAxisOption, resolveAxis, show } from './checks.js';

/**
 * Options of {@link conceptChannelGradient}; a {@link ConceptChannel} (what {@link readConceptSelection}
 * returns) is one.
 *
 * @example
 * const options: ConceptChannelGradientOptions = { channel: 5, direction: -1, channelAxis: -1 };
 */
export interface ConceptChannelGradientOptions {
  /** The channel kept, a whole number ≥ 0 (checked against the module's channels when the hook runs). */
  readonly channel: number;
  /** `1` keeps the sign of the relevance, `-1` flips it. Default `1`. */
  readonly direction?: 1 | -1;
  /** The channel axis of the module output; negative counts from the end. Default `-1` (TF.js channels last). */
  readonly channelAxis?: number;
}

const where = 'attribution/conceptChannelGradient';

/** Checks channel and direction as the original's channel-conditioned LRP does. */
export function checkChannel(channel: unknown, direction: unknown, where: string): void {
  if (typeof channel !== 'number' || !Number.isSafeInteger(channel) || channel < 0) {
    throw new InvalidValueError({
      what: `channel must be a whole number ≥ 0, got ${show(channel)}`,
      where,
      fix: 'Give the index of a channel of the module, e.g. the channel relMax selected.',
    });
  }
  if (direction !== 1 && direction !== -1) {
    throw new InvalidValueError({
      what: `direction must be 1 or -1, got ${show(direction)}`,
      where,
      fix: "Use 1 for a 'positive' selection and -1 for a 'negative' one.",
    });
  }
}

/**
 * A gradient hook for `outputGradients` that keeps one channel of the gradient flowing back into a module's
 * output (zeroing the others) and multiplies it by `direction`. Under LRP the gradient is the relevance, so
 * `lrp({ ..., outputGradients: { [path]: conceptChannelGradient({ channel }) } })` is concept-conditioned LRP
 * (CRP, Achtibat et al. 2023): the input relevance of that channel alone. The channel is checked against the
 * module's channel count when the hook runs (a typed error names it).
 *
 * @example
 * using prepared = lrp({
 *   composite: 'epsilonPlus',
 *   target: { select: 'argmax' },
 *   outputGradients: { conv2: conceptChannelGradient({ channel: 5 }) },
 * }).prepare(model);
 * using result = prepared.run(data); // ['attr', 'input']: the relevance of conv2's channel 5
 */
export function conceptChannelGradient(options: ConceptChannelGradientOptions): GradientHook {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidValueError({ what: 'Options must be an object', where, fix: 'Pass { channel }.' });
  }
  const { channel } = options;
  const direction = options.direction ?? 1;
  checkChannel(channel, direction, where);
  const channelAxis = checkAxisOption(options.channelAxis ?? -1, 'channelAxis', where);
  return (gradient, context) => {
    const at = `${where} at module '${context.path}'`;
    const axis = resolveAxis(channelAxis, gradient.rank);
    if (axis === undefined) {
      throw new InvalidValueError({
        what: `channelAxis ${channelAxis} is out of range of the gradient of shape [${gradient.shape.join(', ')}]`,
        where: at,
        fix:
          gradient.rank === 0
            ? 'Condition a module whose output has a channel axis.'
            : `Use an axis from ${-gradient.rank} to ${gradient.rank - 1}.`,
      });
    }
    const channels = gradient.shape[axis] ?? 0;
    if (channel >= channels) {
      throw new InvalidValueError({
        what: `channel ${channel} is out of range: the output of module '${context.path}' has ${channels} channels (axis ${axis})`,
        where: at,
        fix: `Use a channel from 0 to ${channels - 1}, or check channelAxis.`,
      });
    }
    return tf.tidy(() => {
      const values = new Float32Array(channels);
      values[channel] = direction;
      const shape = gradient.shape.map((size, index) => (index === axis ? channels : 1));
      return tf.mul(gradient, tf.tensor(values, shape, 'float32'));
    });
  };
}
