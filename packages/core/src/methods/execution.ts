import { InvalidValueError } from '../errors.js';

/**
 * Whether a method needs gradients: `disabled` (forward only), `optional`, or `required` (it runs
 * `tf.grad` or installs backward hooks).
 *
 * @example
 * const gradients: GradientMode = 'required'; // it runs tf.grad
 * const requirements: ExecutionRequirements = { modelPasses: 1, gradients };
 */
export type GradientMode = 'disabled' | 'optional' | 'required';

/**
 * What a method needs to run, declared before it runs: how many model passes one call makes and whether
 * it needs gradients. Planning uses it to decide which methods can share one model pass.
 *
 * @example
 * const saliency: ExecutionRequirements = { modelPasses: 1, gradients: 'required' };
 */
export interface ExecutionRequirements {
  readonly modelPasses: number;
  readonly gradients: GradientMode;
}

/**
 * The requirements of a method that declares none: one forward pass, gradients optional.
 *
 * @example
 * defaultRequirements; // { modelPasses: 1, gradients: 'optional' }
 */
export const defaultRequirements: ExecutionRequirements = /* @__PURE__ */ Object.freeze({
  modelPasses: 1,
  gradients: 'optional',
});

const gradientModes: readonly GradientMode[] = ['disabled', 'optional', 'required'];

/**
 * Checks requirements: `modelPasses` a whole number ≥ 1 (booleans rejected), `gradients` one of the modes.
 *
 * @example
 * checkRequirements({ modelPasses: 3, gradients: 'required' }, 'attribution/integrated-gradients');
 */
export function checkRequirements(value: ExecutionRequirements, where: string): ExecutionRequirements {
  const passes: unknown = value.modelPasses;
  if (typeof passes !== 'number' || !Number.isSafeInteger(passes) || passes < 1) {
    throw new InvalidValueError({
      what: `modelPasses must be a whole number of at least 1, got ${JSON.stringify(passes)}`,
      where,
      fix: 'Declare how many times one call runs the model.',
    });
  }
  if (!gradientModes.includes(value.gradients)) {
    throw new InvalidValueError({
      what: `gradients must be one of ${gradientModes.join(', ')}, got ${JSON.stringify(value.gradients)}`,
      where,
      fix: "Use 'required' for methods that differentiate, 'disabled' for forward-only ones.",
    });
  }
  return Object.freeze({ modelPasses: passes, gradients: value.gradients });
}
