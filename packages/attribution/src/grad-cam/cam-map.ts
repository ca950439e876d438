import * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';

/** How a Grad-CAM map is formed from a layer's activation and gradient (see `GradCamOptions`). */
export interface CamConfig {
  readonly channelAxis: number;
  readonly poolAxes: readonly number[] | undefined;
  readonly sumAxes: readonly number[] | undefined;
  readonly relu: boolean;
  readonly upsample: false | 'bilinear' | 'nearest';
}

function axisOf(axis: number, rank: number, name: string, where: string): number {
  const resolved = axis < 0 ? axis + rank : axis;
  if (resolved < 1 || resolved >= rank) {
    throw new InvalidValueError({
      what: `${name} ${axis} is not an axis of a rank-${rank} layer output other than the batch axis 0`,
      where,
      fix: `Use an axis in [1, ${rank - 1}] or [-${rank - 1}, -1].`,
    });
  }
  return resolved;
}

/**
 * The Grad-CAM map of one layer: `w = mean over poolAxes of ∂y/∂A`, `cam = Σ over sumAxes of w·A`, both
 * keeping their axes (`[rows, h, w, 1]` for an NHWC layer), then the optional ReLU and upsampling to
 * `size`. Runs inside a `tf.tidy`.
 */
export function camMap(
  gradient: tf.Tensor,
  activation: tf.Tensor,
  config: CamConfig,
  size: readonly [number, number] | undefined,
  where: string,
): tf.Tensor {
  const rank = activation.rank;
  const channel = axisOf(config.channelAxis, rank, 'channelAxis', where);
  const spatial = Array.from({ length: rank - 1 }, (_, index) => index + 1).filter(
    (axis) => axis !== channel,
  );
  if (config.poolAxes === undefined && spatial.length === 0) {
    throw new ShapeMismatchError({
      what: `The layer output is ${JSON.stringify(activation.shape)}: it has no spatial axes to average the gradient over`,
      where,
      fix: 'Explain a convolutional layer (NHWC output), or set poolAxes and sumAxes for this layer (poolAxes: [], sumAxes: [] gives gradient × activation per unit, as the original tdhook).',
    });
  }
  const pool = config.poolAxes?.map((axis) => axisOf(axis, rank, 'poolAxes', where)) ?? spatial;
  const sum = config.sumAxes?.map((axis) => axisOf(axis, rank, 'sumAxes', where)) ?? [channel];
  const weights = pool.length === 0 ? gradient : tf.mean(gradient, pool, true);
  const weighted = tf.mul(weights, activation);
  const summed = sum.length === 0 ? weighted : tf.sum(weighted, sum, true);
  const cam = config.relu ? tf.relu(summed) : summed;
  if (config.upsample === false || size === undefined) return cam;
  if (cam.rank !== 4 || channel !== 3) {
    throw new ShapeMismatchError({
      what: `upsample resizes NHWC maps; this layer's map is ${JSON.stringify(cam.shape)} with channelAxis ${config.channelAxis}`,
      where,
      fix: 'Upsample the map of an NHWC layer (channelAxis -1), or leave upsample off.',
    });
  }
  // PyTorch's F.interpolate conventions (captum's LayerAttribution.interpolate): bilinear with
  // align_corners=False is TF's half-pixel centres; 'nearest' is TF's legacy nearest.
  return config.upsample === 'bilinear'
    ? tf.image.resizeBilinear(cam as tf.Tensor4D, [...size], false, true)
    : tf.image.resizeNearestNeighbor(cam as tf.Tensor4D, [...size], false, false);
}
