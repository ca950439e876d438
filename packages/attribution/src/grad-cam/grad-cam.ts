import * as tf from '@tensorflow/tfjs-core';

import {
  InvalidValueError,
  ShapeMismatchError,
  type KeyedModel,
  type MethodFactory,
  type TensorDict,
} from '@tdhook/core';
import { defineMethod, type WithDefaults } from '@tdhook/core/plugin';

import {
  bindGradientMethod,
  checkGradientOptions,
  planGradientMethod,
  readModelBatch,
  type GradientAttributionOptions,
} from '../gradient-method.js';
import { publishAttributions, runGradientPass } from '../gradient-runner.js';
import type { ResolvedTarget } from '../targets.js';
import { camMap } from './cam-map.js';
import { booleanOption } from '../option-checks.js';

/**
 * Options of {@link gradCam}.
 *
 * @example
 * const options: GradCamOptions = { layers: 'conv2', target: { select: 'argmax' }, upsample: 'bilinear' };
 */
export interface GradCamOptions extends Pick<
  GradientAttributionOptions,
  'target' | 'targets' | 'attributionKey' | 'chunkSize' | 'strategy'
> {
  /** The layer path(s) whose output `A` is explained; one map per layer under `[attributionKey, path]`. Required. */
  readonly layers: string | readonly string[];
  /** The channel axis `k` of the layer output. Default `-1` (NHWC). */
  readonly channelAxis?: number;
  /**
   * Apply a ReLU to the map, as in the paper. Default `false`: captum's `LayerGradCam` defaults to
   * `relu_attributions=False` and the original tdhook applies none, so negative evidence stays visible.
   */
  readonly relu?: boolean;
  /**
   * Resize the map to the spatial size of the model's first input (NHWC, axes 1..rank-2), bilinear as
   * PyTorch's `align_corners=False` or nearest. Default `false`: the layer's resolution, as captum.
   */
  readonly upsample?: false | 'bilinear' | 'nearest';
  /**
   * Axes of the layer output averaged to form the channel weights. Default: every axis but the batch and
   * channel axes (the spatial ones); required for layers without spatial axes.
   */
  readonly poolAxes?: readonly number[];
  /** Axes the weighted activation is summed over (kept with size 1). Default `[channelAxis]`. */
  readonly sumAxes?: readonly number[];
}

const id = 'attribution/grad-cam';

/**
 * The options of {@link gradCam} once its `configure` has filled in the defaults (the only place they are
 * written): what `method.options` and `describe()` show, and what the runner reads.
 *
 * @example
 * const configured: ConfiguredGradCamOptions = gradCam({ layers: 'conv2' }).options;
 * configured.channelAxis; // -1
 */
export type ConfiguredGradCamOptions = WithDefaults<GradCamOptions, 'channelAxis' | 'relu' | 'upsample'>;

/** The layer paths of the options, as a list. */
function layerPaths(options: GradCamOptions): readonly string[] {
  return typeof options.layers === 'string' ? [options.layers] : options.layers;
}

/** The gradient-engine options: the layers' outputs are the only sources. */
function gradientOptions(options: GradCamOptions): GradientAttributionOptions {
  const { target, targets, attributionKey, chunkSize, strategy } = options;
  return {
    ...(target === undefined ? {} : { target }),
    ...(targets === undefined ? {} : { targets }),
    ...(attributionKey === undefined ? {} : { attributionKey }),
    ...(chunkSize === undefined ? {} : { chunkSize }),
    ...(strategy === undefined ? {} : { strategy }),
    inputs: [],
    modules: layerPaths(options),
  };
}

function checkAxes(value: unknown, name: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((axis) => !Number.isSafeInteger(axis) || axis === 0)) {
    throw new InvalidValueError({
      what: `${name} must be an array of axes (whole numbers, not the batch axis 0), got ${JSON.stringify(value)}`,
      where: id,
      fix: 'E.g. [1, 2] for the spatial axes of an NHWC layer, or [] for none.',
    });
  }
}

function checkOptions(options: GradCamOptions): ConfiguredGradCamOptions {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidValueError({
      what: 'Options must be an object',
      where: id,
      fix: "E.g. { layers: 'conv2' }.",
    });
  }
  const layers: unknown = options.layers;
  const list: unknown[] = typeof layers === 'string' ? [layers] : Array.isArray(layers) ? layers : [];
  if (list.length === 0 || list.some((path) => typeof path !== 'string' || path === '')) {
    throw new InvalidValueError({
      what: `layers must name the layer(s) to explain, got ${JSON.stringify(layers)}`,
      where: id,
      fix: "Give a module path or a list of them: layers: 'conv2'.",
    });
  }
  checkGradientOptions(gradientOptions(options), id);
  const { channelAxis, relu } = options;
  const upsample: unknown = options.upsample;
  if (channelAxis !== undefined && (!Number.isSafeInteger(channelAxis) || channelAxis === 0)) {
    throw new InvalidValueError({
      what: `channelAxis must be a whole number other than the batch axis 0, got ${String(channelAxis)}`,
      where: id,
      fix: 'Use -1 for NHWC layers, 1 for NCHW ones.',
    });
  }
  if (upsample !== undefined && upsample !== false && upsample !== 'bilinear' && upsample !== 'nearest') {
    throw new InvalidValueError({
      what: `upsample must be false, 'bilinear' or 'nearest', got ${JSON.stringify(upsample)}`,
      where: id,
    });
  }
  checkAxes(options.poolAxes, 'poolAxes');
  checkAxes(options.sumAxes, 'sumAxes');
  return {
    ...options,
    channelAxis: channelAxis ?? -1,
    relu: booleanOption(relu, 'relu', id, false),
    upsample: options.upsample ?? false,
  };
}

/** The spatial size `[H, W]` of the model's first input (NHWC per sample), for upsampling. */
function inputSize(model: KeyedModel, data: TensorDict): [number, number] | undefined {
  const key = model.inKeys[0];
  if (key === undefined || !data.has(key)) return undefined; // the runner reports the missing input
  const shape = data.getTensor(key).shape.slice(data.batchShape.length);
  if (shape.length !== 3) {
    throw new ShapeMismatchError({
      what: `upsample needs an image input (per sample [H, W, C]); the model's first input is ${JSON.stringify(shape)} per sample`,
      where: id,
      fix: 'Leave upsample off for non-image inputs.',
    });
  }
  return [shape[0] as number, shape[1] as number];
}

/**
 * Grad-CAM (Selvaraju et al., 2017): for a layer output `A` with channels `k`, the weights
 * `w_k = mean over spatial positions of ∂y/∂A_k` and the map `Σ_k w_k·A_k` (channel axis kept, size 1:
 * `[N, h, w, 1]` for an NHWC layer), optionally ReLU'd and upsampled to the input. One model pass gives `A`
 * and `∂y/∂A` for every layer and target. Equals captum's `LayerGradCam`.
 *
 * @example
 * using prepared = gradCam({ layers: 'conv2', target: { select: 'argmax' } }).prepare(cnn);
 * using result = prepared.run(new TensorDict({ input: images }, { batchShape: [4] }));
 * result.getTensor(['attr', 'conv2']); // [4, 8, 8, 1]
 */
export const gradCam: MethodFactory<GradCamOptions, ConfiguredGradCamOptions> = /* @__PURE__ */ defineMethod({
  contract: 'tdhook.method/1',
  id,
  summary: 'Grad-CAM maps: layer activations weighted by their spatially averaged gradients',
  configure: checkOptions,
  requirements: () => ({ modelPasses: 1, gradients: 'required' }),
  plan: (options, model) => planGradientMethod(gradientOptions(options), model),
  bind: (options, context) => {
    const shared = gradientOptions(options);
    const binding = bindGradientMethod(shared, context, id);
    const { channelAxis, relu, upsample, poolAxes, sumAxes } = options;
    const config = { channelAxis, poolAxes, sumAxes, relu, upsample };
    const where = (index: number): string => {
      const source = binding.sources[index];
      return `${id} layer '${source?.kind === 'module' ? source.path : ''}'`;
    };
    return {
      run: (data) => {
        const size = config.upsample === false ? undefined : inputSize(context.model, data);
        const batch = readModelBatch(context.model, data, binding.sources, id);
        let targets: ResolvedTarget[] = [];
        try {
          targets = binding.resolveTargets(data, batch.rows);
          const pass = runGradientPass(binding, shared, batch.inputs, targets);
          let maps: tf.Tensor[][];
          try {
            maps = tf.tidy(() =>
              pass.gradients.map((gradients) =>
                gradients.map((gradient, index) =>
                  camMap(gradient, pass.sources[index] as tf.Tensor, config, size, where(index)),
                ),
              ),
            );
          } catch (error) {
            tf.dispose(pass.outputs);
            throw error;
          } finally {
            tf.dispose([...pass.sources, ...pass.gradients.flat()]);
          }
          return publishAttributions(data, binding, shared, batch, pass.outputs, maps);
        } finally {
          tf.dispose(batch.inputs);
          for (const target of targets) target.dispose();
          binding.endRun();
        }
      },
    };
  },
});
