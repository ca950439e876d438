import * as tf from '@tensorflow/tfjs-core';

import { toKeyPath, type KeyPath, type MethodFactory } from '@tdhook/core';
import { defineMethod } from '@tdhook/core/plugin';

import {
  attributionSources,
  bindGradientMethod,
  planGradientMethod,
  readModelBatch,
} from '../gradient-method.js';
import { runGradientPass } from '../gradient-runner.js';
import type { ResolvedTarget } from '../targets.js';
import {
  checkActivationMaximisationOptions,
  gradientOptionsOf,
  type ActivationMaximisationOptions,
  type ConfiguredActivationMaximisationOptions,
} from './options.js';

const id = 'attribution/activation-maximisation';

/** Where the optimised value of an input goes: `[attributionKey, ...inputKey]`. */
function resultKey(options: ConfiguredActivationMaximisationOptions, inputKey: KeyPath): KeyPath {
  return [...toKeyPath(options.attributionKey), ...inputKey] as unknown as KeyPath;
}

/** One ascent step on every optimised input: `clamp(x + α·d)`, `d` the summed gradient (or its sign). */
function step(
  x: tf.Tensor,
  gradients: readonly tf.Tensor[],
  options: ConfiguredActivationMaximisationOptions,
): tf.Tensor {
  return tf.tidy(() => {
    const gradient = gradients.length === 1 ? (gradients[0] as tf.Tensor) : tf.addN([...gradients]);
    const direction = options.useSign ? tf.sign(gradient) : gradient;
    let next = tf.add(x, tf.mul(direction, options.alpha));
    const { min, max } = options; // absent, or ±Infinity: no bound
    if (min !== undefined && min !== -Infinity) next = tf.maximum(next, min);
    if (max !== undefined && max !== Infinity) next = tf.minimum(next, max);
    return next;
  });
}

/**
 * Activation maximisation (Erhan et al., 2009): projected gradient ascent on the model inputs,
 * `x ← clamp(x + α·∂ΣT/∂x, min, max)` for `steps` steps, `T` the targeted units (of `modules`, or any
 * target). Starts from the inputs in the TensorDict and writes the optimised inputs under
 * `[attributionKey, inputKey]`. One model pass per step.
 *
 * @example
 * using prepared = activationMaximisation({ modules: ['fc2'], select: 0, steps: 20 }).prepare(model);
 * using result = prepared.run(new TensorDict({ input: x }, { batchShape: [4] }));
 * result.getTensor(['attr', 'input']); // inputs that drive fc2's unit 0 up
 */
export const activationMaximisation: MethodFactory<
  ActivationMaximisationOptions,
  ConfiguredActivationMaximisationOptions
> = /* @__PURE__ */ defineMethod<ActivationMaximisationOptions, ConfiguredActivationMaximisationOptions>({
  contract: 'tdhook.method/1',
  id,
  summary: 'Projected gradient ascent on the inputs to maximise module units or outputs',
  configure: (options) => checkActivationMaximisationOptions(options, id),
  requirements: (options) => ({ modelPasses: options.steps, gradients: 'required' }),
  plan: (options, model) => {
    const shared = gradientOptionsOf(options);
    const plan = planGradientMethod(shared, model);
    return {
      ...plan,
      // The optimised inputs, as the engine picks them (every model input unless `inputs` says otherwise).
      outKeys: attributionSources(shared, model).flatMap((source) =>
        source.kind === 'input' ? [resultKey(options, source.key)] : [],
      ),
    };
  },
  bind: (options, context) => {
    const shared = gradientOptionsOf(options);
    const binding = bindGradientMethod(shared, context, id);
    const { steps } = options;
    return {
      run: (data) => {
        const batch = readModelBatch(context.model, data, binding.sources, id);
        // Model inputs in inKeys order; the optimised ones are replaced after every step.
        const inputs = [...batch.inputs];
        let targets: ResolvedTarget[] = [];
        try {
          targets = binding.resolveTargets(data, batch.rows);
          for (let done = 1; done <= steps; done++) {
            const pass = runGradientPass(binding, shared, inputs, targets);
            try {
              binding.gradientSources.inputs.forEach((inputIndex, source) => {
                const next = step(
                  inputs[inputIndex] as tf.Tensor,
                  pass.gradients.map((gradients) => gradients[source] as tf.Tensor),
                  options,
                );
                if (!batch.inputs.includes(inputs[inputIndex] as tf.Tensor)) inputs[inputIndex]?.dispose();
                inputs[inputIndex] = next;
              });
            } finally {
              tf.dispose([...pass.outputs, ...pass.sources, ...pass.gradients.flat()]);
            }
            options.onProgress?.(done, steps);
          }
          const result = data.clone();
          try {
            binding.sources.forEach((source) => {
              if (source.kind !== 'input') return;
              const value = inputs[source.index] as tf.Tensor;
              const shaped = tf.reshape(value, [...batch.batchShape, ...value.shape.slice(1)]);
              result.set(resultKey(options, source.key), shaped);
            });
          } catch (error) {
            result.dispose();
            throw error;
          }
          return result;
        } finally {
          tf.dispose(inputs.filter((input) => !batch.inputs.includes(input)));
          tf.dispose(batch.inputs);
          for (const target of targets) target.dispose();
          binding.endRun();
        }
      },
    };
  },
});
