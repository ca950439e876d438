// The original's compute_alpha: try each α on the model (temporarily, restored exactly), keep the adequate ones,
// pick the best accuracy, the first on ties.
import { InvalidValueError, type ModelNode, type TensorDict, withParameters } from '@tdhook/core';
import { checkOptionNames } from '@tdhook/core/plugin';

import { checkAlpha, checkModelParameters, checkVectors } from './parameter-dict-checks.js';
import { combineTaskVectors } from './task-vector-arithmetic.js';

const where = 'chooseAlpha';

/**
 * Options of {@link chooseAlpha}.
 *
 * @example
 * const options: ChooseAlphaOptions = {
 *   model, pretrained, vectors: [forget], alphas: [0.1, 0.2, 0.5, 1],
 *   accuracy: (m) => accuracyOn(m, forgetDigit) * -1, // lower accuracy on the forgotten class is better
 *   adequate: (m) => accuracyOn(m, otherDigits) >= 0.95,
 * };
 */
export interface ChooseAlphaOptions {
  /** The model whose parameters are replaced, for each α, by θ_pre + α·Σ vectors while the callbacks run. */
  readonly model: ModelNode;
  /** θ_pre: every parameter of the model (`readParameters(model)`). */
  readonly pretrained: TensorDict;
  /** The task (or forget) vectors to add, summed; same keys and shapes as `pretrained`. */
  readonly vectors: readonly TensorDict[];
  /** The candidates, tried in order; finite numbers, at least one. */
  readonly alphas: readonly number[];
  /** The score to maximise (the original's `get_test_accuracy`), called only for adequate α. */
  readonly accuracy: (model: ModelNode) => number | Promise<number>;
  /** Whether the model is still acceptable, e.g. control accuracy above a floor (`get_control_adequacy`). */
  readonly adequate: (model: ModelNode) => boolean | Promise<boolean>;
}

/**
 * What {@link chooseAlpha} found for one α: `accuracy` is `null` when α was not adequate (the accuracy
 * callback is not called then, as in the original).
 *
 * @example
 * const row: AlphaTrial = { alpha: 0.5, adequate: true, accuracy: 0.93 };
 */
export interface AlphaTrial {
  readonly alpha: number;
  readonly adequate: boolean;
  readonly accuracy: number | null;
}

/**
 * The result of {@link chooseAlpha}: the chosen α and every trial, in the order of `alphas`.
 *
 * @example
 * const { alpha, results }: ChosenAlpha = await chooseAlpha(options);
 */
export interface ChosenAlpha {
  readonly alpha: number;
  readonly results: readonly AlphaTrial[];
}

function checkCallback(value: unknown, name: string): void {
  if (typeof value !== 'function') {
    throw new InvalidValueError({
      what: `${name} is ${typeof value}, not a function`,
      where: `${where} ${name}`,
      fix: `Pass ${name}: (model) => ${name === 'accuracy' ? 'a number' : 'a boolean'} (or a promise of one).`,
    });
  }
}

function checkAlphas(alphas: unknown): readonly number[] {
  if (!Array.isArray(alphas) || alphas.length === 0) {
    throw new InvalidValueError({
      what: `alphas is ${Array.isArray(alphas) ? 'empty' : typeof alphas}`,
      where: `${where} alphas`,
      fix: 'Pass the candidates to try, e.g. alphas: [0.1, 0.2, 0.5, 1].',
    });
  }
  alphas.forEach((alpha: unknown, index) => {
    checkAlpha(alpha, `alphas[${index}]`, `${where} alphas`);
  });
  return alphas as readonly number[];
}

async function trial(options: ChooseAlphaOptions, alpha: number): Promise<AlphaTrial> {
  const weights = combineTaskVectors(options.pretrained, options.vectors, alpha);
  try {
    return await withParameters(options.model, weights, async () => {
      const adequate: unknown = await options.adequate(options.model);
      if (typeof adequate !== 'boolean') {
        throw new InvalidValueError({
          what: `adequate returned ${typeof adequate} for alpha ${alpha}, not a boolean`,
          where: `${where} adequate`,
          fix: 'Return true when the edited model is acceptable, false otherwise.',
        });
      }
      if (!adequate) return { alpha, adequate, accuracy: null };
      const accuracy: unknown = await options.accuracy(options.model);
      if (typeof accuracy !== 'number' || Number.isNaN(accuracy)) {
        throw new InvalidValueError({
          what: `accuracy returned ${typeof accuracy === 'number' ? 'NaN' : typeof accuracy} for alpha ${alpha}`,
          where: `${where} accuracy`,
          fix: 'Return a number to maximise (an accuracy, or minus a loss).',
        });
      }
      return { alpha, adequate, accuracy };
    });
  } finally {
    weights.dispose();
  }
}

/**
 * Picks α for θ_pre + α·Σ vectors (the original's `compute_alpha`): for each α in order, the model's
 * parameters are replaced by the combined weights, `adequate(model)` is asked, and for adequate α
 * `accuracy(model)`; the parameters are then written back exactly (the saved originals, bit for bit), also when
 * a callback throws or rejects. The chosen α has the best accuracy among the adequate ones, the first on ties.
 * Everything is checked before the first α is applied; if no α is adequate, an `InvalidValueError` (the
 * original's `RuntimeError`) lists the trials, and the model is as before.
 *
 * @example
 * using pretrained = readParameters(model);
 * using forget = forgetVector(pretrained, finetunedParameters);
 * const { alpha, results } = await chooseAlpha({
 *   model, pretrained, vectors: [forget], alphas: [0.25, 0.5, 1, 2],
 *   accuracy: (m) => 1 - accuracyOn(m, forgottenDigit),
 *   adequate: (m) => accuracyOn(m, otherDigits) >= 0.9,
 * });
 */
export async function chooseAlpha(options: ChooseAlphaOptions): Promise<ChosenAlpha> {
  checkOptionNames(
    options,
    ['model', 'pretrained', 'vectors', 'alphas', 'accuracy', 'adequate'],
    { get_test_accuracy: 'Use accuracy.', get_control_adequacy: 'Use adequate.' },
    where,
  );
  const alphas = checkAlphas(options.alphas);
  checkCallback(options.accuracy, 'accuracy');
  checkCallback(options.adequate, 'adequate');
  const checked = checkVectors(options.pretrained, options.vectors, where);
  checkModelParameters(options.model, checked.pretrained, 'pretrained', where);
  const results: AlphaTrial[] = [];
  for (const alpha of alphas) results.push(await trial(options, alpha));
  // Strictly greater: the first α wins ties, as max() does in the original.
  let best: { alpha: number; accuracy: number } | undefined;
  for (const { alpha, accuracy } of results) {
    if (accuracy !== null && (best === undefined || accuracy > best.accuracy)) best = { alpha, accuracy };
  }
  if (best === undefined) {
    throw new InvalidValueError({
      what: `No alpha is adequate: tried ${alphas.join(', ')}`,
      where,
      fix: 'Try smaller alphas (closer to the pretrained weights) or loosen the adequacy criterion.',
    });
  }
  return { alpha: best.alpha, results };
}
