import * as tf from '@tensorflow/tfjs-core';

import { type ForwardHook, type HookSpec, type MethodFactory, type ModelNode } from '@tdhook/core';
import { defineMethod, isTensor, patternPath, type WithDefaults } from '@tdhook/core/plugin';

import {
  bindGradientMethod,
  checkGradientOptions,
  planGradientMethod,
  type GradientAttributionOptions,
} from '../gradient-method.js';
import { gradientRunner } from '../gradient-runner.js';
import { reluOutputs } from './relu-outputs.js';
import { booleanOption } from '../option-checks.js';

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

/**
 * The options of {@link guidedBackprop} once `configure` has filled in the defaults (the only place they are
 * written): what `method.options` and `describe()` show, and what the runner reads.
 *
 * @example
 * const configured: ConfiguredGuidedBackpropOptions = guidedBackprop({ target: { select: 3 } }).options;
 * configured.multiplyByInputs; // false
 */
export type ConfiguredGuidedBackpropOptions = WithDefaults<GuidedBackpropOptions, 'multiplyByInputs'>;

// One prepended forward hook per module whose output is a ReLU. Prepended, so that captures of the module
// (latent sources, targets) see the hook's output and keep the plain gradient there, as at a ReLU whose
// backward is guided; only what flows on into the ReLU is clamped.
function guidedSpecs(model: ModelNode | undefined): (HookSpec & { readonly direction: 'forward' })[] {
  if (model === undefined) {
    return [
      {
        path: patternPath,
        direction: 'forward',
        operation: 'guided-relu',
        prepend: true,
        detail: {
          modules:
            "each module whose output is a ReLU: ReLU and Activation('relu') layers, layers with activation 'relu', Modules named relu",
        },
      },
    ];
  }
  return reluOutputs(model).map(({ path, relu }) => ({
    path,
    direction: 'forward',
    operation: 'guided-relu',
    prepend: true,
    detail: { relu },
  }));
}

/**
 * Guided backpropagation (Springenberg et al., 2015): the gradient of the target, except that at every ReLU
 * the backward pass keeps only positive gradients, `g ↦ max(g, 0)·[z > 0]`. A hook on each module whose output
 * is a ReLU clamps the gradient flowing into it, `g ↦ max(g, 0)`, which the ReLU's own backward then masks:
 * Activation and ReLU layers, `Lambda`s and Modules named relu, and layers with `activation: 'relu'` (Dense,
 * Conv2D, …). The plan lists these modules. A ReLU inside a module of another kind (a custom Module calling
 * `tf.relu` in its forward) is not guided. Equals captum's `GuidedBackprop`.
 *
 * @example
 * using prepared = guidedBackprop({ target: { select: 'argmax' } }).prepare(model);
 * using result = prepared.run(new TensorDict({ input: x }, { batchShape: [4] }));
 * result.getTensor(['attr', 'input']); // same shape as x
 */
export const guidedBackprop: MethodFactory<GuidedBackpropOptions, ConfiguredGuidedBackpropOptions> =
  /* @__PURE__ */ defineMethod({
    contract: 'tdhook.method/1',
    id,
    summary: 'Gradient with only positive gradients passed back through every ReLU',
    configure: (options) => {
      const checked = checkGradientOptions(options, id);
      // The default, written here only: describe() shows it, and bind reads it as given.
      return {
        ...checked,
        multiplyByInputs: booleanOption(checked.multiplyByInputs, 'multiplyByInputs', id, false),
      };
    },
    requirements: () => ({ modelPasses: 1, gradients: 'required' }),
    plan: (options, model) => planGradientMethod(options, model, { hooks: guidedSpecs(model.node) }),
    bind: (options, context) => {
      // The hooks act only while run() differentiates: plain gradients taken through the prepared model
      // outside run() stay plain.
      let active = false;
      const clampGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
        // A new tensor: the tape cannot record a node whose output is its own input.
        value: tf.clone(args[0] as tf.Tensor),
        gradFunc: (dy: tf.Tensor) => tf.relu(dy),
      }));
      const guided: ForwardHook = (output) =>
        active && isTensor(output) && output.dtype === 'float32' ? clampGradient(output) : undefined;
      for (const spec of guidedSpecs(context.model.model)) context.hook(spec, guided);
      const runner = gradientRunner(
        options,
        bindGradientMethod(options, context, id),
        id,
        ({ gradient, value }) => (options.multiplyByInputs ? tf.mul(gradient, value) : gradient),
      );
      return {
        run: (data) => {
          active = true;
          try {
            return runner.run(data);
          } finally {
            active = false;
          }
        },
      };
    },
  });
