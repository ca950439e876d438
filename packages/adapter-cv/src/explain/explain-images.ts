import * as tf from '@tensorflow/tfjs-core';
import {
  gradCam,
  guidedBackprop,
  integratedGradients,
  lrp,
  noiseTunnel,
  saliency,
  type AttributionTarget,
  type LrpCompositeName,
} from '@tdhook/attribution';
import { TensorDict, type GradientHook, type Method } from '@tdhook/core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import { CvError } from '../errors.js';
import { GraphModule } from '../graph/graph-module.js';
import { describeModel, lastFeatureMap } from '../model-info.js';

/**
 * The methods {@link explainImages} (and `tdhook explain`) run by name.
 *
 * @example
 * const method: VisionMethodName = 'gradcam';
 */
export type VisionMethodName = 'saliency' | 'ig' | 'smoothgrad' | 'guided' | 'gradcam' | 'lrp';

/**
 * Every {@link VisionMethodName}, in the order reports list them.
 *
 * @example
 * visionMethodNames.includes('lrp'); // true
 */
export const visionMethodNames: readonly VisionMethodName[] = [
  'saliency',
  'ig',
  'smoothgrad',
  'guided',
  'gradcam',
  'lrp',
];

/**
 * Options of {@link explainImages}: which method, what to explain, and each method's main knob.
 *
 * @example
 * const options: ExplainOptions = { method: 'ig', target: 'argmax', steps: 32 };
 */
export interface ExplainOptions {
  readonly method: VisionMethodName;
  /** `'argmax'` (default: the predicted class), one class for all images, or one per image. */
  readonly target?: 'argmax' | number | readonly number[];
  /** Grad-CAM's layer (module path); default the last feature map of the model. */
  readonly layer?: string;
  /** Integrated gradients: Gauss–Legendre steps. Default 32. */
  readonly steps?: number;
  /** Integrated gradients: the baseline value (in model input units). Default 0. */
  readonly baseline?: number;
  /** SmoothGrad: noisy samples. Default 16. */
  readonly samples?: number;
  /** SmoothGrad: noise standard deviation, as a fraction of the input's value range. Default 0.15. */
  readonly noise?: number;
  /** LRP composite. Default `'epsilonPlus'`. */
  readonly composite?: LrpCompositeName;
  /** Gradient rewrites at module outputs (concept conditioning); see `outputGradients` in @tdhook/attribution. */
  readonly outputGradients?: Readonly<Record<string, GradientHook>>;
  /**
   * Rows per model pass (integrated gradients runs steps × images rows). Default: about four 224×224
   * images' worth of pixels (4 rows for MobileNetV2, 256 for MNIST): wasm's memory is 4 GiB at most, and a
   * recorded MobileNetV2 pass holds ~100 MB of activations per image.
   */
  readonly chunkSize?: number;
  /** Called as integrated gradients' steps complete. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Seed of SmoothGrad's noise. Default 1. */
  readonly seed?: number;
}

/**
 * What {@link explainImages} returns; the caller owns the tensors (`dispose()` frees them).
 *
 * @example
 * const explanation: Explanation = explainImages(model, images, { method: 'saliency' });
 * explanation.attribution.shape; // [N, H, W, C] (Grad-CAM: [N, H, W, 1])
 * explanation.dispose();
 */
export interface Explanation {
  readonly method: VisionMethodName;
  /** Attributions shaped like the images (Grad-CAM: one channel, upsampled to the image). */
  readonly attribution: tf.Tensor4D;
  /** The model's outputs for the images, `[N, classes]`. */
  readonly scores: tf.Tensor2D;
  /** The class explained for each image. */
  readonly target: readonly number[];
  /** Grad-CAM's layer. */
  readonly layer?: string;
  dispose(): void;
}

type VisionModel = LayersModel | GraphModule;

function argmaxRows(scores: tf.Tensor2D): number[] {
  const classes = tf.argMax(scores, 1);
  const values = Array.from(classes.dataSync());
  classes.dispose();
  return values;
}

function defaultChunkSize(images: tf.Tensor4D): number {
  const [, height, width] = images.shape;
  const pixels = height * width;
  return Math.max(1, Math.min(256, Math.floor((4 * 224 * 224) / pixels)));
}

function selectOf(target: ExplainOptions['target']): AttributionTarget {
  if (target === undefined || target === 'argmax') return { select: 'argmax' };
  if (typeof target === 'number') return { select: target };
  return { select: [...target] };
}

function valueRange(images: tf.Tensor): number {
  const [min, max] = tf
    .tidy(() => [tf.min(images), tf.max(images)])
    .map((tensor) => {
      const value = tensor.dataSync()[0] ?? 0;
      tensor.dispose();
      return value;
    }) as [number, number];
  return max - min;
}

function layerFor(model: VisionModel, options: ExplainOptions): string {
  if (options.layer !== undefined) return options.layer;
  const found = lastFeatureMap(describeModel(model));
  if (found === undefined) {
    throw new CvError('E_CV_MODEL', {
      what: 'The model has no feature-map layer (rank 4 output) for Grad-CAM',
      where: 'explainImages layer',
      fix: 'Name the layer to explain: layer: <module path> (tdhook info lists them).',
    });
  }
  return found.path;
}

function methodFor(model: VisionModel, images: tf.Tensor4D, options: ExplainOptions): Method<object> {
  const target = selectOf(options.target);
  const shared = {
    target,
    chunkSize: options.chunkSize ?? defaultChunkSize(images),
    ...(options.outputGradients === undefined ? {} : { outputGradients: options.outputGradients }),
  };
  const isGraph = model instanceof GraphModule;
  switch (options.method) {
    case 'saliency':
      return saliency({ ...shared, absolute: true });
    case 'ig':
      return integratedGradients({
        ...shared,
        steps: options.steps ?? 32,
        baselines: options.baseline ?? 0,
        multiplyByInputs: true,
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      });
    case 'smoothgrad':
      return noiseTunnel(saliency({ target, absolute: true }), {
        samples: options.samples ?? 16,
        stdev: (options.noise ?? 0.15) * valueRange(images),
        seed: options.seed ?? 1,
        // Noisy copies go through the model samplesPerPass × images rows at a time.
        samplesPerPass: Math.max(1, Math.floor(shared.chunkSize / images.shape[0])),
      }) as Method<object>;
    case 'guided':
      return guidedBackprop(shared);
    case 'gradcam':
      return gradCam({
        ...shared,
        layers: layerFor(model, options),
        relu: true,
        upsample: 'bilinear',
      }) as Method<object>;
    case 'lrp':
      if (isGraph) {
        throw new CvError('E_CV_GRAPH', {
          what: 'LRP rules exist for Layers layers, not for graph ops',
          where: 'explainImages method lrp',
          fix: 'Use a Layers model for LRP, or a gradient method (saliency, ig, smoothgrad, gradcam) on this Graph model.',
        });
      }
      return lrp({ ...shared, composite: options.composite ?? 'epsilonPlus', warnOnMissingRule: false });
    default:
      throw new CvError('E_CV_MODEL', {
        what: `Unknown method '${String(options.method)}'`,
        where: 'explainImages method',
        fix: `Use one of ${visionMethodNames.join(', ')}.`,
      });
  }
}

/**
 * Explains a batch of images with one attribution method by name, on a Layers model or a
 * {@link GraphModule}: the shared path of `tdhook explain` and the demo. Attributions come back shaped like
 * the images (Grad-CAM: one channel upsampled to the image), with the model's scores and the explained
 * classes; the model is left as it was.
 *
 * @example
 * const images = await readImageBatch(['cat.png'], { size: [224, 224], normalisation: 'unit' });
 * const explanation = explainImages(model, images, { method: 'gradcam', target: 'argmax' });
 * const overlayPng = encodePng(overlay(await readImage('cat.png'), explanation.attribution));
 * explanation.dispose();
 */
export function explainImages(model: VisionModel, images: tf.Tensor4D, options: ExplainOptions): Explanation {
  const layer = options.method === 'gradcam' ? layerFor(model, options) : undefined;
  const method = methodFor(model, images, { ...options, ...(layer === undefined ? {} : { layer }) });
  const batch = images.shape[0];
  using prepared = method.prepare(model);
  using data = new TensorDict({ input: tf.clone(images) }, { batchShape: [batch] });
  using result = prepared.run(data);
  const attributionKey: [string, string] = ['attr', layer ?? 'input'];
  const attribution = tf.clone(result.getTensor(attributionKey)) as tf.Tensor4D;
  const scores = tf.clone(result.getTensor('output')) as tf.Tensor2D;
  const target =
    options.target === undefined || options.target === 'argmax'
      ? argmaxRows(scores)
      : typeof options.target === 'number'
        ? new Array<number>(batch).fill(options.target)
        : [...options.target];
  return {
    method: options.method,
    attribution,
    scores,
    target,
    ...(layer === undefined ? {} : { layer }),
    dispose: () => {
      tf.dispose([attribution, scores]);
    },
  };
}
