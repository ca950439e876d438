// Task arithmetic on parameter dicts (Ilharco et al., "Editing models with task arithmetic"): τ = θ_ft − θ_pre,
// its negation, and θ_pre + α·Σ τ. Pure functions on TensorDicts: inputs untouched, a new dict returned.
import type { TensorDict } from '@tdhook/core';

import { checkAlpha, checkSameParameters, checkVectors, parameterTensors } from './parameter-dict-checks.js';

function checkPair(pretrained: TensorDict, finetuned: TensorDict, where: string): void {
  checkSameParameters(
    parameterTensors(pretrained, 'pretrained', where),
    parameterTensors(finetuned, 'finetuned', where),
    { reference: 'pretrained', other: 'finetuned' },
    where,
  );
}

/**
 * The task vector τ = θ_ft − θ_pre (the original's `get_task_vector`): a new dict, keyed like the inputs, that
 * the caller owns. Both must have the same keys and shapes (a typed error names the first that differs).
 *
 * @example
 * using pretrained = readParameters(model);
 * // … fine-tune a copy …
 * using finetuned = readParameters(copy);
 * using tau = taskVector(pretrained, finetuned);
 */
export function taskVector(pretrained: TensorDict, finetuned: TensorDict): TensorDict {
  checkPair(pretrained, finetuned, 'taskVector');
  return finetuned.sub(pretrained);
}

/**
 * The forget vector −τ = θ_pre − θ_ft (the original's `get_forget_vector`): adding it moves a model away from
 * what fine-tuning taught. Exactly the negation of {@link taskVector} (IEEE subtraction is antisymmetric).
 *
 * @example
 * using forget = forgetVector(pretrained, finetuned);
 * using edited = combineTaskVectors(pretrained, [forget], 0.5); // θ_pre − 0.5·τ
 */
export function forgetVector(pretrained: TensorDict, finetuned: TensorDict): TensorDict {
  checkPair(pretrained, finetuned, 'forgetVector');
  return pretrained.sub(finetuned);
}

/**
 * θ_pre + α·Σ vectors (the original's `get_weights(*vectors, alpha)`): the vectors are summed in order, the sum
 * scaled by α, then added to the pretrained weights. Returns a new dict the caller owns. Every vector must
 * have the pretrained dict's keys and shapes, and α must be finite.
 *
 * @example
 * using weights = combineTaskVectors(pretrained, [tauA, tauB], 0.4);
 * writeParameters(model, weights); // or apply it temporarily: taskVectors({ pretrained, vectors, alpha })
 */
export function combineTaskVectors(
  pretrained: TensorDict,
  vectors: readonly TensorDict[],
  alpha: number,
): TensorDict {
  const where = 'combineTaskVectors';
  const checked = checkVectors(pretrained, vectors, where);
  checkAlpha(alpha, 'alpha', where);
  const [first, ...rest] = checked.vectors;
  if (first === undefined) throw new Error('unreachable: checkVectors refuses an empty list');
  let sum: TensorDict | undefined;
  let scaled: TensorDict | undefined;
  try {
    for (const vector of rest) {
      const next: TensorDict = (sum ?? first).add(vector);
      sum?.dispose();
      sum = next;
    }
    scaled = (sum ?? first).scale(alpha);
    return pretrained.add(scaled);
  } finally {
    sum?.dispose();
    scaled?.dispose();
  }
}
