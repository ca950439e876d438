import {
  gradCam,
  guidedBackprop,
  integratedGradients,
  lrp,
  noiseTunnelMethod,
  saliency,
} from '@tdhook/attribution';
import { createMethodRegistry, type MethodRegistry } from '@tdhook/core';

/**
 * A method registry holding the attribution methods behind the six built-in vision methods (saliency,
 * integrated gradients, the noise tunnel for SmoothGrad, guided backprop, Grad-CAM and LRP), registered
 * explicitly here: importing a package registers nothing. Add third-party methods with `use(factory)` and
 * run them by id with `explainImages` (`tdhook explain --plugin <module> --method <id>` does this).
 *
 * @example
 * const registry = visionMethodRegistry().use(inputTimesGradient);
 * const explanation = explainImages(model, images, { method: 'example/input-times-gradient', registry });
 */
export function visionMethodRegistry(): MethodRegistry {
  return createMethodRegistry()
    .use(saliency)
    .use(integratedGradients)
    .use(noiseTunnelMethod)
    .use(guidedBackprop)
    .use(gradCam)
    .use(lrp);
}
