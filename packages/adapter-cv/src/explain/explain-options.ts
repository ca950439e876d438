import type * as tf from '@tensorflow/tfjs-core';
import type { LrpCompositeName, OutputGradient } from '@tdhook/attribution';
import type { JsonValue, MethodRegistry } from '@tdhook/core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import type { GraphModule } from '../graph/graph-module.js';
import { imageTensorDefaults, type ImageFit } from '../image/images-to-tensor.js';
import type { NormalisationName } from '../image/normalisation.js';
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
 * The defaults of `explainImages` (and so of `tdhook explain`), written here only: the options it fills in
 * itself, and how the CLI reads images for a model whose metadata does not say (`normalisation`, `fit`: the
 * defaults of `imagesToTensor`). A method's own knobs (integrated gradients' `steps`, SmoothGrad's
 * `samples`) are not here: they default in that method's `configure`.
 *
 * @example
 * explainDefaults.composite; // 'epsilonPlus': what { method: 'lrp' } runs without a composite
 * const options: ExplainOptions = { method: 'ig', baseline: explainDefaults.baseline };
 */
export const explainDefaults: {
  /** {@link ExplainOptions.target}: the predicted class. */
  readonly target: 'argmax';
  /** {@link ExplainOptions.baseline}: integrated gradients from an all-zero input. */
  readonly baseline: number;
  /** {@link ExplainOptions.noise}: SmoothGrad's noise, as a fraction of the input's value range. */
  readonly noise: number;
  /** {@link ExplainOptions.seed}: SmoothGrad's seed, so that runs repeat. */
  readonly seed: number;
  /** {@link ExplainOptions.composite}: the LRP composite. */
  readonly composite: LrpCompositeName;
  /** Pixel scaling of the images explained (`imagesToTensor`'s `normalisation`). */
  readonly normalisation: NormalisationName;
  /** How images meet the model's input size (`imagesToTensor`'s `fit`). */
  readonly fit: ImageFit;
} = Object.freeze({
  target: 'argmax',
  baseline: 0,
  noise: 0.15,
  seed: 1,
  composite: 'epsilonPlus',
  ...imageTensorDefaults,
});

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
   * `{ method: 'riemann_trapezoid' }` for `ig`, `{ kind: 'vargrad' }` for `smoothgrad`. Default `{}`. The
   * target is `target`'s alone: a `target` here is refused (`E_INVALID_VALUE`).
   */
  readonly methodOptions?: Readonly<Record<string, unknown>>;
  /** `'argmax'` (the predicted class), one class for all images, or one per image. Default: {@link explainDefaults | explainDefaults.target}. */
  readonly target?: 'argmax' | number | readonly number[];
  /** Grad-CAM's layer (module path); default the last feature map of the model. */
  readonly layer?: string;
  /** Integrated gradients: the quadrature's steps. Default: `integratedGradients`' own. */
  readonly steps?: number;
  /** Integrated gradients: the baseline value (in model input units). Default: {@link explainDefaults | explainDefaults.baseline}. */
  readonly baseline?: number;
  /** SmoothGrad: noisy samples. Default: the noise tunnel's own. */
  readonly samples?: number;
  /** SmoothGrad: noise standard deviation, as a fraction of the input's value range. Default: {@link explainDefaults | explainDefaults.noise}. */
  readonly noise?: number;
  /** LRP composite. Default: {@link explainDefaults | explainDefaults.composite}. */
  readonly composite?: LrpCompositeName;
  /**
   * Gradient rewrites at module outputs (concept conditioning), passed to the built-in methods as they are:
   * fixed hooks or ones chosen from the run's data; see `outputGradients` in @tdhook/attribution.
   */
  readonly outputGradients?: Readonly<Record<string, OutputGradient>>;
  /**
   * Built-in methods: rows per model pass (integrated gradients runs steps × images rows). Default: about
   * four 224×224 images' worth of pixels (4 rows for MobileNetV2, 256 for MNIST): wasm's memory is 4 GiB at
   * most, and a recorded MobileNetV2 pass holds ~100 MB of activations per image.
   */
  readonly chunkSize?: number;
  /** Called as integrated gradients' steps complete. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Seed of SmoothGrad's noise, so that runs repeat. Default: {@link explainDefaults | explainDefaults.seed}. */
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
