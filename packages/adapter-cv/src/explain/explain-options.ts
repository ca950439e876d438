import type * as tf from '@tensorflow/tfjs-core';
import type { LrpCompositeName } from '@tdhook/attribution';
import type { GradientHook, JsonValue, MethodRegistry } from '@tdhook/core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import type { GraphModule } from '../graph/graph-module.js';
import type { ChannelReduction } from '../render/attribution-map.js';

/**
 * The built-in methods {@link ExplainOptions.method} (and `tdhook explain --method`) takes by short name.
 *
 * @example
 * const method: VisionMethodName = 'gradcam';
 */
export type VisionMethodName = 'saliency' | 'ig' | 'smoothgrad' | 'guided' | 'gradcam' | 'lrp';

/**
 * The models `explainImages` explains: a TF.js Layers model or a Graph model wrapped as a {@link GraphModule}.
 *
 * @example
 * const { model }: { model: VisionModel } = await loadModel('models/mnist-cnn');
 */
export type VisionModel = LayersModel | GraphModule;

/**
 * How a method's attributions are drawn: on a diverging map (`signed`: red positive, blue negative) or a
 * sequential one, after reducing the channels with `reduce`.
 *
 * @example
 * const display: MethodDisplay = { signed: true, reduce: 'sum' };
 */
export interface MethodDisplay {
  readonly signed: boolean;
  readonly reduce: ChannelReduction;
}

/**
 * Options of `explainImages`: which method, what to explain, and each built-in method's main knob. A knob
 * left out gets the method's own default, set in that method's `configure` (read it from a configured
 * method: `integratedGradients({}).options.steps`).
 *
 * @example
 * const options: ExplainOptions = { method: 'ig', target: 'argmax', steps: 32 };
 * const byId: ExplainOptions = { method: 'example/input-times-gradient', registry, methodOptions: {} };
 */
export interface ExplainOptions<Name extends string = VisionMethodName | (string & Record<never, never>)> {
  /**
   * A built-in method's short name ({@link VisionMethodName}) or the id of a method in `registry`. A method
   * run by id gets `{ target: { select }, ...methodOptions }` and must write its attribution under
   * `['attr', 'input']`, shaped like the images (or with one channel), as @tdhook/attribution's methods do.
   */
  readonly method: Name;
  /** Where methods are looked up by id. Default `visionMethodRegistry()`: the six built-ins. */
  readonly registry?: MethodRegistry;
  /**
   * The method's own options (JSON-like), merged over what the other fields give: e.g.
   * `{ method: 'riemann_trapezoid' }` for `ig`, `{ kind: 'vargrad' }` for `smoothgrad`. Default `{}`.
   */
  readonly methodOptions?: Readonly<Record<string, unknown>>;
  /** `'argmax'` (default: the predicted class), one class for all images, or one per image. */
  readonly target?: 'argmax' | number | readonly number[];
  /** Grad-CAM's layer (module path); default the last feature map of the model. */
  readonly layer?: string;
  /** Integrated gradients: the quadrature's steps. Default: `integratedGradients`' own. */
  readonly steps?: number;
  /** Integrated gradients: the baseline value (in model input units). Default 0. */
  readonly baseline?: number;
  /** SmoothGrad: noisy samples. Default: the noise tunnel's own. */
  readonly samples?: number;
  /** SmoothGrad: noise standard deviation, as a fraction of the input's value range. Default 0.15. */
  readonly noise?: number;
  /** LRP composite. Default `'epsilonPlus'`. */
  readonly composite?: LrpCompositeName;
  /** Gradient rewrites at module outputs (concept conditioning); see `outputGradients` in @tdhook/attribution. */
  readonly outputGradients?: Readonly<Record<string, GradientHook>>;
  /**
   * Built-in methods: rows per model pass (integrated gradients runs steps × images rows). Default: about
   * four 224×224 images' worth of pixels (4 rows for MobileNetV2, 256 for MNIST): wasm's memory is 4 GiB at
   * most, and a recorded MobileNetV2 pass holds ~100 MB of activations per image.
   */
  readonly chunkSize?: number;
  /** Called as integrated gradients' steps complete. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Seed of SmoothGrad's noise. Default 1, so that runs repeat. */
  readonly seed?: number;
}

/**
 * What `explainImages` returns; the caller owns the tensors (`dispose()` frees them). `Name` is the method as
 * asked for: a {@link VisionMethodName} by default, `Explanation<string>` for methods run by id.
 *
 * @example
 * const explanation: Explanation = explainImages(model, images, { method: 'saliency' });
 * explanation.attribution.shape; // [N, H, W, C] (Grad-CAM: [N, H, W, 1])
 * explanation.dispose();
 */
export interface Explanation<Name extends string = VisionMethodName> {
  /** The method as asked for: a short name (`'ig'`) or a registry id. */
  readonly method: Name;
  /** The registry id of the method that ran, e.g. `'attribution/integrated-gradients'`. */
  readonly id: string;
  /** The configured method's options as JSON (defaults filled in), or `undefined` if they cannot be described. */
  readonly options: JsonValue | undefined;
  /** How to draw the attributions (see `renderExplanation`). */
  readonly display: MethodDisplay;
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
