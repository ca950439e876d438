import * as tf from '@tensorflow/tfjs-core';
import type { AttributionTarget } from '@tdhook/attribution';
import type { MethodFactory } from '@tdhook/core';

import { CvError } from '../errors.js';
import { GraphModule } from '../graph/graph-module.js';
import { describeModel, lastFeatureMap } from '../model-info.js';
import {
  explainDefaults,
  type ExplainOptions,
  type MethodDisplay,
  type VisionMethodName,
  type VisionModel,
} from './explain-options.js';

/** What a recipe turns into a method's options. */
export interface RecipeRequest {
  readonly model: VisionModel;
  readonly images: tf.Tensor4D;
  readonly options: ExplainOptions;
  readonly target: AttributionTarget;
  /** Rows per model pass for the built-ins. */
  readonly chunkSize: number;
  /** A factory from the registry, by id. */
  readonly factory: (id: string) => MethodFactory<object>;
}

/** A method's options for one request, and the module whose attribution it writes (Grad-CAM's layer). */
export interface RecipeOptions {
  readonly options: Readonly<Record<string, unknown>>;
  readonly layer?: string;
}

/**
 * How `explainImages` runs one registry method on images: its options from the request, and how its
 * attributions are drawn.
 */
export interface VisionRecipe {
  /** The registry id of the method factory. */
  readonly id: string;
  readonly display: MethodDisplay;
  options(request: RecipeRequest): RecipeOptions;
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

function gradCamLayer(model: VisionModel, options: ExplainOptions): string {
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

/** Only the knobs the caller gave: a knob left out gets the method's own default, from its configure. */
function given<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The options the built-ins share: target, rows per pass, gradient rewrites. */
function shared({ target, chunkSize, options }: RecipeRequest): Record<string, unknown> {
  return { target, chunkSize, ...given({ outputGradients: options.outputGradients }) };
}

const magnitude: MethodDisplay = { signed: false, reduce: 'max-abs' };
const signed: MethodDisplay = { signed: true, reduce: 'sum' };

/**
 * The six built-in vision methods: which registry method each runs, with which settings, drawn how.
 * Signed methods (IG, LRP, guided backprop) go on a diverging map; magnitude methods (saliency, SmoothGrad,
 * Grad-CAM) on a sequential one.
 */
export const builtInRecipes: Readonly<Record<VisionMethodName, VisionRecipe>> = {
  saliency: {
    id: 'attribution/saliency',
    display: magnitude,
    options: (request) => ({ options: { ...shared(request), absolute: true } }),
  },
  ig: {
    id: 'attribution/integrated-gradients',
    display: signed,
    options: (request) => {
      const { steps, baseline, onProgress } = request.options;
      return {
        options: {
          ...shared(request),
          ...given({ steps, onProgress }),
          baselines: baseline ?? explainDefaults.baseline,
        },
      };
    },
  },
  smoothgrad: {
    id: 'attribution/noise-tunnel',
    display: magnitude,
    options: (request) => {
      const { images, options, target, chunkSize } = request;
      return {
        options: {
          method: request.factory('attribution/saliency')({ target, absolute: true }),
          ...given({ samples: options.samples }),
          stdev: (options.noise ?? explainDefaults.noise) * valueRange(images),
          seed: options.seed ?? explainDefaults.seed,
          // Noisy copies go through the model samplesPerPass × images rows at a time.
          samplesPerPass: Math.max(1, Math.floor(chunkSize / images.shape[0])),
        },
      };
    },
  },
  guided: {
    id: 'attribution/guided-backprop',
    display: signed,
    options: (request) => ({ options: shared(request) }),
  },
  gradcam: {
    id: 'attribution/grad-cam',
    display: { signed: false, reduce: 'sum' },
    options: (request) => {
      const layer = gradCamLayer(request.model, request.options);
      return {
        options: { ...shared(request), layers: layer, relu: true, upsample: 'bilinear' },
        layer,
      };
    },
  },
  lrp: {
    id: 'attribution/lrp',
    display: signed,
    options: (request) => {
      if (request.model instanceof GraphModule) {
        throw new CvError('E_CV_GRAPH', {
          what: 'LRP rules exist for Layers layers, not for graph ops',
          where: 'explainImages method lrp',
          fix: 'Use a Layers model for LRP, or a gradient method (saliency, ig, smoothgrad, gradcam) on this Graph model.',
        });
      }
      const composite = request.options.composite ?? explainDefaults.composite;
      return { options: { ...shared(request), composite, warnOnMissingRule: false } };
    },
  },
};

/**
 * A method run by id that is not a built-in (a plugin): `{ target }` in attribution's form, drawn signed.
 */
export function pluginRecipe(id: string): VisionRecipe {
  return {
    id,
    display: signed,
    options: ({ target }) => ({ options: { target } }),
  };
}
