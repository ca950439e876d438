import * as tf from '@tensorflow/tfjs-core';

import type { MethodFactory } from '@tdhook/core';
import { defineMethod, type WithDefaults } from '@tdhook/core/plugin';

import {
  bindGradientMethod,
  checkGradientOptions,
  planGradientMethod,
  type GradientAttributionOptions,
} from './gradient-method.js';
import { gradientRunner } from './gradient-runner.js';
import { booleanOption } from './option-checks.js';

/**
 * Options of {@link saliency}.
 *
 * @example
 * const options: SaliencyOptions = { target: { select: 'argmax' }, absolute: true };
 */
export interface SaliencyOptions extends GradientAttributionOptions {
  /** Take the absolute value of the gradient (captum `Saliency(abs=True)`, its default). Default `false`. */
  readonly absolute?: boolean;
  /** Multiply the gradient by the input: input × gradient (captum `InputXGradient`). Default `false`. */
  readonly multiplyByInputs?: boolean;
}

const id = 'attribution/saliency';

/**
 * The options of {@link saliency} once `configure` has filled in the defaults (the only place they are
 * written): what `method.options` and `describe()` show, and what the runner reads.
 *
 * @example
 * const configured: ConfiguredSaliencyOptions = saliency({ target: { select: 3 } }).options;
 * configured.absolute; // false
 */
export type ConfiguredSaliencyOptions = WithDefaults<SaliencyOptions, 'absolute' | 'multiplyByInputs'>;

/**
 * Saliency (Simonyan et al., 2014): the gradient of the target w.r.t. each source, `∂y/∂x`; with
 * `absolute`, `|∂y/∂x|`; with `multiplyByInputs`, input × gradient `x ⊙ ∂y/∂x` (Shrikumar et al., 2016).
 * Sources are model inputs and, for layer attribution, module outputs.
 *
 * @example
 * using prepared = saliency({ target: { select: 'argmax' } }).prepare(model);
 * using result = prepared.run(new TensorDict({ input: x }, { batchShape: [4] }));
 * result.getTensor(['attr', 'input']); // same shape as x
 */
export const saliency: MethodFactory<SaliencyOptions, ConfiguredSaliencyOptions> =
  /* @__PURE__ */ defineMethod({
    contract: 'tdhook.method/1',
    id,
    summary: 'Gradient (absolute or times input) of the target w.r.t. inputs or module outputs',
    configure: (options) => {
      const checked = checkGradientOptions(options, id);
      // The defaults, written here only: describe() shows them, and bind reads them as given.
      return {
        ...checked,
        absolute: booleanOption(checked.absolute, 'absolute', id, false),
        multiplyByInputs: booleanOption(checked.multiplyByInputs, 'multiplyByInputs', id, false),
      };
    },
    requirements: () => ({ modelPasses: 1, gradients: 'required' }),
    plan: (options, model) => planGradientMethod(options, model),
    bind: (options, context) =>
      gradientRunner(options, bindGradientMethod(options, context, id), id, ({ gradient, value }) => {
        const magnitude = options.absolute ? tf.abs(gradient) : gradient;
        return options.multiplyByInputs ? tf.mul(magnitude, value) : magnitude;
      }),
  });
