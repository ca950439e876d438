import {
  formatKey,
  InvalidValueError,
  MissingKeyError,
  toKeyPath,
  type Key,
  type KeyPath,
  type MethodFactory,
} from '@tdhook/core';
import { defineMethod, keysEqual, type MethodModelInfo } from '@tdhook/core/plugin';

import {
  attributionSources,
  bindGradientMethod,
  checkGradientOptions,
  planGradientMethod,
  type GradientAttributionOptions,
} from '../gradient-method.js';
import { listTargets } from '../targets.js';
import { baselineFor, baselineKey, checkBaselines, type BaselineOptions } from './baselines.js';
import { convergenceDeltaKey, integratedGradientsRunner } from './ig-runner.js';
import { checkQuadrature, type IntegrationMethod } from './quadrature.js';
import { booleanOption } from '../option-checks.js';

/**
 * Options of {@link integratedGradients}.
 *
 * @example
 * const options: IntegratedGradientsOptions = {
 *   target: { select: 'argmax' },
 *   baselines: 0,
 *   steps: 50,
 *   method: 'gausslegendre',
 *   convergenceDelta: true,
 * };
 */
export interface IntegratedGradientsOptions extends GradientAttributionOptions {
  /** Points on the path from the baseline to the input. Default `50`. */
  readonly steps?: number;
  /** How the path integral is approximated (see {@link IntegrationMethod}). Default `'gausslegendre'`. */
  readonly method?: IntegrationMethod;
  /**
   * Where the path starts, per interpolated input (see {@link BaselineOptions}). Default: read from the
   * TensorDict at `['baseline', ...inputKey]`.
   */
  readonly baselines?: BaselineOptions;
  /**
   * Multiply the path-averaged gradient by `x − b`: integrated gradients proper, whose attributions sum to
   * `f(x) − f(b)` (completeness). `false` gives the path-averaged gradient `Σᵢ wᵢ ∇f`. Default `true`, as
   * in captum (the Python tdhook defaulted to `false`).
   */
  readonly multiplyByInputs?: boolean;
  /**
   * Also write `Σ attr − (f(x) − f(b))` per sample under `['convergence_delta']` (named targets:
   * `['convergence_delta', name]`); it costs the baseline's rows in the forward pass. Default `false`.
   */
  readonly convergenceDelta?: boolean;
  /**
   * Conditional IG: only these model inputs move along the path; the others stay at `x` (and, if
   * attributed, get `0` with `multiplyByInputs`, their path-averaged gradient without). Default: every
   * attributed input.
   */
  readonly interpolate?: readonly Key[];
  /** Called after each model pass of the path with the passes done and the total. Default: none. */
  readonly onProgress?: (done: number, total: number) => void;
}

const id = 'attribution/integrated-gradients';

/**
 * The options as `configure` returns them: every defaulted option filled in. The defaults live in
 * `configure` and nowhere else; `requirements` and `bind` only ever see its output.
 *
 * @example
 * integratedGradients({ baselines: 0 }).options.steps; // the default number of steps
 */
export interface ConfiguredIntegratedGradientsOptions extends IntegratedGradientsOptions {
  readonly steps: number;
  readonly method: IntegrationMethod;
  readonly multiplyByInputs: boolean;
}

function checkOptions(options: IntegratedGradientsOptions): ConfiguredIntegratedGradientsOptions {
  const checked = checkGradientOptions(options, id);
  // The one place each default is set (the CLI help and the adapter read them from a configured method).
  const { steps = 50, method = 'gausslegendre' } = checked;
  const multiplyByInputs = booleanOption(checked.multiplyByInputs, 'multiplyByInputs', id, true);
  checkQuadrature(method, steps, id);
  booleanOption(checked.convergenceDelta, 'convergenceDelta', id, false);
  checkBaselines(checked.baselines, id);
  if (checked.interpolate !== undefined) {
    const keys = checked.interpolate;
    if (!Array.isArray(checked.interpolate) || keys.length === 0) {
      throw new InvalidValueError({
        what: 'interpolate must be a non-empty array of model input keys',
        where: id,
        fix: 'Leave it out to interpolate every attributed input.',
      });
    }
    keys.forEach((key, index) => toKeyPath(key, `${id} interpolate[${index}]`));
  }
  if (checked.onProgress !== undefined && typeof checked.onProgress !== 'function') {
    throw new InvalidValueError({ what: 'onProgress must be a function (done, total) => void', where: id });
  }
  if ((checked.modules ?? []).length > 0 && multiplyByInputs) {
    throw new InvalidValueError({
      what: 'Integrated gradients multiplied by inputs is defined for model inputs, not module outputs',
      where: id,
      fix: 'Set multiplyByInputs: false for the path-averaged gradient of the modules (captum InternalInfluence), or attribute to inputs.',
    });
  }
  return { ...checked, steps, method, multiplyByInputs };
}

/**
 * The model inputs that move along the path (`interpolate`, or every attributed input), checked against
 * the model's keys.
 *
 * @example
 * interpolatedInputs({ interpolate: ['image'] }, { inKeys: [['image'], ['mask']], outKeys: [['logits']] });
 */
export function interpolatedInputs(
  options: IntegratedGradientsOptions,
  model: MethodModelInfo,
): { readonly index: number; readonly key: KeyPath }[] {
  const keys =
    options.interpolate?.map((key) => toKeyPath(key)) ??
    attributionSources(options, model).flatMap((source) => (source.kind === 'input' ? [source.key] : []));
  return keys.map((key) => {
    const index = model.inKeys.findIndex((candidate) => keysEqual(candidate, key));
    if (index < 0) {
      throw new MissingKeyError({
        what: `interpolate names ${formatKey(key)}, which is not an input of the model`,
        where: id,
        fix: `Model inputs: ${model.inKeys.map((candidate) => formatKey(candidate)).join(', ')}.`,
      });
    }
    return { index, key };
  });
}

function passesOf(options: ConfiguredIntegratedGradientsOptions): number {
  const { steps } = options;
  const targets = options.strategy === 'loop' ? listTargets(options, id).length : 1;
  const chunks = options.chunkSize === undefined ? 1 : Math.ceil(steps / options.chunkSize);
  return 1 + targets * chunks;
}

/**
 * Integrated gradients (Sundararajan et al., 2017): `(x − b) ⊙ Σᵢ wᵢ ∇f(b + αᵢ(x − b))`, the gradient
 * integrated along the straight path from a baseline `b` to the input, with the quadrature `method`
 * (captum's five). Attributions sum to `f(x) − f(b)` up to the quadrature error (`convergenceDelta` reports
 * it). `multiplyByInputs` defaults to `true` as in captum: set it to `false` for the path-averaged
 * gradient alone (the Python tdhook's default).
 *
 * The steps run as rows of the batch (`steps × batch` rows, at most `chunkSize` per pass); `'argmax'`
 * targets are fixed to the class predicted at `x`. Several named targets share each forward pass
 * (`strategy: 'shared'`). Requirements: one forward pass at `x` (and `b`), then the path passes: for a
 * batch of one sample, `⌈steps / chunkSize⌉` (one without `chunkSize`), times the targets with `'loop'`.
 *
 * @example
 * using prepared = integratedGradients({ target: { select: 'argmax' }, baselines: 0 }).prepare(model);
 * using result = prepared.run(new TensorDict({ input: x }, { batchShape: [4] }));
 * result.getTensor(['attr', 'input']); // same shape as x; sums to f(x) − f(0) per sample
 */
export const integratedGradients: MethodFactory<
  IntegratedGradientsOptions,
  ConfiguredIntegratedGradientsOptions
> = /* @__PURE__ */ defineMethod<IntegratedGradientsOptions, ConfiguredIntegratedGradientsOptions>({
  contract: 'tdhook.method/1',
  id,
  summary: 'Integrated gradients: the gradient integrated along the path from a baseline to the input',
  configure: checkOptions,
  requirements: (options) => ({ modelPasses: passesOf(options), gradients: 'required' }),
  plan: (options, model) => {
    const baselineKeys = interpolatedInputs(options, model).flatMap(({ key }) => {
      const read = baselineKey(baselineFor(options.baselines, key), key);
      return read === undefined ? [] : [read];
    });
    const plan = planGradientMethod(options, model, { inKeys: baselineKeys });
    if (options.convergenceDelta !== true) return plan;
    const deltaKeys = listTargets(options, id).map(([name]) => convergenceDeltaKey(name));
    return { ...plan, outKeys: [...plan.outKeys, ...deltaKeys] };
  },
  bind: (options, context) => {
    const binding = bindGradientMethod(options, context, id);
    const model = { inKeys: context.model.inKeys, outKeys: context.model.outKeys };
    return integratedGradientsRunner(options, binding, interpolatedInputs(options, model), id);
  },
});
