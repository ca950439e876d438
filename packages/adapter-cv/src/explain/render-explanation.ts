import * as tf from '@tensorflow/tfjs-core';

import type { RgbaImage } from '../image/rgba-image.js';
import { attributionMap } from '../render/attribution-map.js';
import { heatmap, type HeatmapImage } from '../render/heatmap.js';
import { overlay } from '../render/overlay.js';
import type { Explanation, MethodDisplay, VisionMethodName } from './explain-options.js';
import { builtInRecipes } from './vision-recipes.js';

/**
 * How each built-in method's attributions are shown: signed methods (IG, LRP, guided backprop) on a
 * diverging map (red positive, blue negative), magnitude methods (saliency, SmoothGrad, Grad-CAM) on a
 * sequential one. An {@link Explanation} carries its own `display` (methods run by id are drawn signed).
 *
 * @example
 * methodDisplay.ig; // { signed: true, reduce: 'sum' }
 */
export const methodDisplay: Readonly<Record<VisionMethodName, MethodDisplay>> = Object.freeze(
  Object.fromEntries(
    Object.entries(builtInRecipes).map(([name, recipe]) => [name, recipe.display]),
  ) as Record<VisionMethodName, MethodDisplay>,
);

/**
 * One image's explanation as pictures: the heatmap at the model's input resolution and an overlay on the
 * original photo (the map resized to it), drawn the way the explanation's `display` says.
 *
 * @example
 * const { heatmap, overlay } = renderExplanation(explanation, 0, await readImage('cat.png'));
 * await writePng('out/cat.gradcam.png', overlay);
 */
export function renderExplanation(
  explanation: Explanation<string>,
  index: number,
  original: RgbaImage,
): { readonly heatmap: HeatmapImage; readonly overlay: RgbaImage; readonly map: Float32Array } {
  const display = explanation.display;
  const map = tf.tidy(() =>
    attributionMap(
      tf.squeeze<tf.Tensor3D>(tf.slice(explanation.attribution, [index, 0, 0, 0], [1, -1, -1, -1]), [0]),
      {
        reduce: display.reduce,
      },
    ),
  );
  try {
    const options = { signed: display.signed };
    return {
      heatmap: heatmap(map, options),
      overlay: overlay(original, map, options),
      map: Float32Array.from(map.dataSync()),
    };
  } finally {
    map.dispose();
  }
}
