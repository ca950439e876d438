import {
  defineOperator,
  formatKey,
  InvalidValueError,
  KeyedModel,
  PreparedModel,
  toKeyPath,
  type Key,
  type KeyPath,
  type MethodLike,
  type ModelKeys,
  type ModelNode,
  type TensorDictOperator,
} from '@tdhook/core';
import { keyStartsWith } from '@tdhook/core/plugin';

import { defaultAttributionKey } from '../gradient-method.js';

import { checkChoice, checkCount, checkNonNegative, checkSeed, selectInputs } from './metric-options.js';
import { runSensitivity, type SensitivityConfig } from './sensitivity-run.js';

/**
 * Options of {@link sensitivity}.
 *
 * @example
 * const options: SensitivityOptions = { method: saliency({ target: { select: 3 } }), model, radius: 0.05 };
 */
export interface SensitivityOptions {
  /**
   * The attribution method, run again on the perturbed inputs: a configured method (prepared on `model`
   * for each run and restored after) or a model it is already prepared on.
   */
  readonly method: MethodLike | PreparedModel;
  /** The model to prepare `method` on; required with a configured method, not with a prepared model. */
  readonly model?: ModelNode;
  /** The model's TensorDict keys, as given to `prepare`. Default `inKeys: ['input']`, `outKeys: ['output']`. */
  readonly keys?: ModelKeys;
  /** The model inputs perturbed (all at once). Default: every model input; they must be float32. */
  readonly inputs?: readonly Key[];
  /**
   * Where the attributions are. Every attribution the method writes under it is compared (each to its
   * recomputation); with a prepared model, every tensor under it in the data. Default `'attr'`.
   */
  readonly attributionKey?: Key;
  /** Where the results go: `[...outKey, ...key under attributionKey]`. Default `['metrics', 'sensitivity']`. */
  readonly outKey?: Key;
  /** Half-width r of the uniform perturbations U(−r, r) added to every perturbed input. Default `0.02`. */
  readonly radius?: number;
  /** Perturbations per sample (whole number ≥ 1), all attributed in one run of the method. Default `1`. */
  readonly samples?: number;
  /** Seed of the perturbations, a whole number ≥ 0: input k of `inputs` is drawn with TF.js seed `seed + k + 1`. Default `0`. */
  readonly seed?: number;
  /**
   * How a change is measured: `'l1'` = mean|attr − attr′| / mean|attr| (the original's), `'l2'` =
   * ‖attr − attr′‖₂ / ‖attr‖₂ (captum's `sensitivity_max`). Where the attribution is 0 the raw difference
   * is returned. Default `'l1'`.
   */
  readonly norm?: 'l1' | 'l2';
  /** How the perturbations of one sample are combined: `'max'` (max-sensitivity) or `'mean'`. Default `'max'`. */
  readonly reduction?: 'max' | 'mean';
}

const where = 'metrics/sensitivity';
const isPrepared = (method: unknown): method is PreparedModel => method instanceof PreparedModel;

/**
 * Sensitivity (Yeh et al., 2019) as a TensorDict operator: how much the attributions change when the
 * inputs move by uniform noise of radius r. Runs the attribution method once more, on `samples` perturbed
 * copies of the batch in one run, and returns a new TensorDict with, for each attribution and batch item,
 * mean|attr − attr′| / mean|attr| (max over the perturbations). Lower is more robust.
 *
 * @example
 * const method = saliency({ target: { select: 3 } });
 * using attributed = method.prepare(model).run(data);
 * using scores = sensitivity({ method, model, radius: 0.02 }).run(attributed);
 * scores.getTensor(['metrics', 'sensitivity', 'input']); // [batch]
 */
export function sensitivity(options: SensitivityOptions): TensorDictOperator {
  const config = configure(options);
  return defineOperator({
    name: where,
    inKeys: [...config.modelInKeys, ...(config.compared ?? [config.attributionKey])],
    outKeys: [config.outKey],
    run: (data) => runSensitivity(config, data, where),
  });
}

function configure(options: SensitivityOptions): SensitivityConfig {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidValueError({ what: 'Options must be an object', where, fix: 'Pass { method, model }.' });
  }
  const { method } = options;
  const attributionKey = toKeyPath(
    options.attributionKey ?? defaultAttributionKey,
    `${where} attributionKey`,
  );
  let modelInKeys: readonly KeyPath[];
  let compared: KeyPath[] | undefined;
  if (isPrepared(method)) {
    if (options.model !== undefined || options.keys !== undefined) {
      throw new InvalidValueError({
        what: 'model and keys are set, but the method is already prepared on a model',
        where,
        fix: 'Leave model and keys out: the prepared model brings them.',
      });
    }
    modelInKeys = method.model.inKeys;
  } else {
    if (
      typeof (method as unknown) !== 'object' ||
      typeof (method as Partial<MethodLike>).prepare !== 'function'
    ) {
      throw new InvalidValueError({
        what: 'method must be a configured attribution method or a prepared model',
        where,
        fix: 'E.g. method: saliency({ target: { select: 3 } }), model.',
      });
    }
    if (options.model === undefined) {
      throw new InvalidValueError({
        what: 'A configured method needs the model to run on',
        where,
        fix: 'Pass model (and keys if the model does not read "input" and write "output").',
      });
    }
    const keyed = new KeyedModel(options.model, options.keys ?? {});
    modelInKeys = keyed.inKeys;
    compared = method.plan(options.keys ?? {}).outKeys.filter((key) => keyStartsWith(key, attributionKey));
    if (compared.length === 0) {
      throw new InvalidValueError({
        what: `Method '${method.id}' writes nothing under ${formatKey(attributionKey)}`,
        where,
        fix: 'Set attributionKey to the attributionKey of the method.',
      });
    }
  }
  return {
    method,
    model: options.model,
    keys: options.keys ?? {},
    modelInKeys,
    compared,
    inputs: selectInputs(options.inputs, modelInKeys, where),
    attributionKey,
    outKey: toKeyPath(options.outKey ?? ['metrics', 'sensitivity'], `${where} outKey`),
    radius: checkNonNegative(options.radius ?? 0.02, 'radius', where),
    samples: checkCount(options.samples ?? 1, 'samples', where),
    seed: checkSeed(options.seed ?? 0, where),
    norm: checkChoice(options.norm, ['l1', 'l2'], 'norm', where),
    reduction: checkChoice(options.reduction, ['max', 'mean'], 'reduction', where),
  };
}
