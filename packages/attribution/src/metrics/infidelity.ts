import {
  defineOperator,
  InvalidValueError,
  KeyedModel,
  toKeyPath,
  type Key,
  type KeyPath,
  type ModelKeys,
  type ModelNode,
  type TensorDictOperator,
} from '@tdhook/core';
import { joinKeys } from '@tdhook/core/plugin';

import { defaultAttributionKey } from '../gradient-method.js';

import { checkTarget, targetSource, type AttributionTarget } from '../targets.js';
import {
  checkCount,
  checkFinite,
  checkFlag,
  checkNonNegative,
  checkSeed,
  selectInputs,
} from './metric-options.js';
import { runInfidelity, type InfidelityConfig } from './infidelity-run.js';

/**
 * Options of {@link infidelity}.
 *
 * @example
 * const options: InfidelityOptions = { model, target: { select: 'argmax' }, samples: 20, noiseScale: 0.05 };
 */
export interface InfidelityOptions {
  /** The model whose output the attributions explain (a tdhook Module or a TF.js Layers model). */
  readonly model: ModelNode;
  /** Its TensorDict keys, as given to `prepare`. Default `inKeys: ['input']`, `outKeys: ['output']`. */
  readonly keys?: ModelKeys;
  /**
   * What the attributions explain: the attribution method's target (a model output; module targets are not
   * supported). `'argmax'` is the class predicted at x. Default `{}`: the only output, its only unit.
   */
  readonly target?: AttributionTarget;
  /** The attributed model inputs, perturbed together. Default: every model input. */
  readonly inputs?: readonly Key[];
  /**
   * Where the attributions are: `[...attributionKey, ...inputKey]`. Default `'attr'`; for a named target of
   * a multi-target method, `['attr', name]`.
   */
  readonly attributionKey?: Key;
  /** Where the result (one value per batch item) is written. Default `['metrics', 'infidelity']`. */
  readonly outKey?: Key;
  /** Perturbations per sample (whole number ≥ 1). Default `10`. */
  readonly samples?: number;
  /** Standard deviation of the Gaussian perturbations I ~ N(0, noiseScale²). Default `0.01`. */
  readonly noiseScale?: number;
  /** Seed of the perturbations, a whole number ≥ 0: input k of `inputs` is drawn with TF.js seed `seed + k + 1`. Default `0`. */
  readonly seed?: number;
  /** Scale the attributions by the best factor β first, so that the score ignores their scale. Default `false`. */
  readonly normalize?: boolean;
  /**
   * The attributions are multiplied by `x − baseline` (input × gradient, integrated gradients, LRP): the
   * perturbation is divided by `x − baseline` (by 1 where that is 0) in the dot product. Default `false`.
   */
  readonly multiplyByInputs?: boolean;
  /** The baseline of `multiplyByInputs`. Default `0`. */
  readonly baseline?: number;
  /** At most this many perturbed rows per model pass. Default: all `samples × batch` rows in one pass. */
  readonly chunkSize?: number;
}

const where = 'metrics/infidelity';

/**
 * Infidelity (Yeh et al., 2019) as a TensorDict operator: for each batch item, the mean over `samples`
 * Gaussian perturbations I of `(Σ attr ⊙ I − (f(x) − f(x − I)))²`, where f is the explained target.
 * Reads the inputs, the attributions and the model output at x (written by the attribution method) from
 * the TensorDict, runs the model on the perturbed inputs (`⌈samples · batch / chunkSize⌉` passes) and
 * returns a new TensorDict with the scores under `outKey`, shaped like the batch. Lower is more faithful.
 *
 * @example
 * using attributed = saliency({ target: { select: 'argmax' } }).prepare(model).run(data);
 * using scores = infidelity({ model, target: { select: 'argmax' } }).run(attributed);
 * scores.getTensor(['metrics', 'infidelity']); // [batch]
 */
export function infidelity(options: InfidelityOptions): TensorDictOperator {
  const config = configure(options);
  const labels =
    typeof config.target.select === 'object' && !Array.isArray(config.target.select)
      ? [toKeyPath((config.target.select as { labels: Key }).labels)]
      : [];
  return defineOperator({
    name: where,
    inKeys: [
      ...config.model.inKeys,
      ...config.inputs.map((key) => joinKeys(config.attributionKey, key)),
      config.outputKey,
      ...labels,
    ],
    outKeys: [config.outKey],
    run: (data) => runInfidelity(config, data, where),
  });
}

function configure(options: InfidelityOptions): InfidelityConfig {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidValueError({ what: 'Options must be an object', where, fix: 'Pass { model, ... }.' });
  }
  const model = new KeyedModel(options.model, options.keys ?? {});
  const target = options.target ?? {};
  checkTarget(target, `${where} target`);
  if (target.module !== undefined) {
    throw new InvalidValueError({
      what: 'Infidelity explains a model output; the target names a module',
      where: `${where} target`,
      fix: 'Give the model output and select of the attribution method: target: { output, select }.',
    });
  }
  const source = targetSource(target, model.outKeys, `${where} target`);
  const outputKey: KeyPath = source.kind === 'output' ? source.key : toKeyPath('output');
  return {
    model,
    target,
    source,
    outputIndex: source.kind === 'output' ? source.index : 0,
    outputKey,
    inputs: selectInputs(options.inputs, model.inKeys, where),
    attributionKey: toKeyPath(options.attributionKey ?? defaultAttributionKey, `${where} attributionKey`),
    outKey: toKeyPath(options.outKey ?? ['metrics', 'infidelity'], `${where} outKey`),
    samples: checkCount(options.samples ?? 10, 'samples', where),
    noiseScale: checkNonNegative(options.noiseScale ?? 0.01, 'noiseScale', where),
    seed: checkSeed(options.seed ?? 0, where),
    normalize: checkFlag(options.normalize, 'normalize', where),
    multiplyByInputs: checkFlag(options.multiplyByInputs, 'multiplyByInputs', where),
    baseline: checkFinite(options.baseline ?? 0, 'baseline', where),
    chunkSize:
      options.chunkSize === undefined ? undefined : checkCount(options.chunkSize, 'chunkSize', where),
  };
}
