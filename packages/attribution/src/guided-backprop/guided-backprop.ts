import * as tf from '@tensorflow/tfjs-core';

import { defineMethod, InvalidValueError, type HookSpec, type MethodFactory } from '@tdhook/core';

import {
  bindGradientMethod,
  checkGradientOptions,
  planGradientMethod,
  type GradientAttributionOptions,
} from '../gradient-method.js';
import { gradientRunner } from '../gradient-runner.js';
import { withGuidedReluGradient } from './guided-relu-gradient.js';

/**
 * Options of {@link guidedBackprop}.
 *
 * @example
 * const options: GuidedBackpropOptions = { target: { select: 'argmax' }, multiplyByInputs: false };
 */
export interface GuidedBackpropOptions extends GradientAttributionOptions {
  /** Multiply the guided gradient by the source value (guided input × gradient). Default `false`. */
  readonly multiplyByInputs?: boolean;
}

const id = 'attribution/guided-backprop';

// Not a hook: the gradient of the 'Relu' kernel is swapped for the guided one while the method runs (and put
// back before run() returns), which changes how every ReLU of the model backpropagates. Declared so that
// plans and workflows see that this method's backward pass is not the plain gradient.
const guidedReluSpec: HookSpec & { readonly direction: null } = {
  path: '',
  direction: null,
  operation: 'guided-relu',
};

/**
 * Guided backpropagation (Springenberg et al., 2015): the gradient of the target, except that at every ReLU
 * the backward pass keeps only positive gradients, `g ↦ max(g, 0)·[z > 0]`. Applies to every ReLU of the
 * model: Activation and ReLU layers, `tf.relu` in Modules (a `Lambda`), and layers with `activation: 'relu'`
 * (Dense, Conv2D: TF.js runs their fused kernels unfused while differentiating). Equals captum's
 * `GuidedBackprop`.
 *
 * @example
 * using prepared = guidedBackprop({ target: { select: 'argmax' } }).prepare(model);
 * using result = prepared.run(new TensorDict({ input: x }, { batchShape: [4] }));
 * result.getTensor(['attr', 'input']); // same shape as x
 */
export const guidedBackprop: MethodFactory<GuidedBackpropOptions> = /* @__PURE__ */ defineMethod({
  contract: 'tdhook.method/1',
  id,
  summary: 'Gradient with only positive gradients passed back through every ReLU',
  configure: (options) => {
    const checked = checkGradientOptions(options, id);
    if (checked.multiplyByInputs !== undefined && typeof checked.multiplyByInputs !== 'boolean') {
      throw new InvalidValueError({ what: 'multiplyByInputs must be a boolean', where: id });
    }
    return checked;
  },
  requirements: () => ({ modelPasses: 1, gradients: 'required' }),
  plan: (options, model) => planGradientMethod(options, model, { hooks: [guidedReluSpec] }),
  bind: (options, context) => {
    const binding = bindGradientMethod(options, context, id);
    // Nothing to undo on restore: each run puts the 'Relu' gradient back itself.
    context.record(guidedReluSpec, () => undefined);
    return gradientRunner(
      options,
      binding,
      id,
      ({ gradient, value }) => (options.multiplyByInputs === true ? tf.mul(gradient, value) : gradient),
      withGuidedReluGradient,
    );
  },
});
