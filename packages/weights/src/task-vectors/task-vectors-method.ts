import { applyParameters, type MethodFactory, type TensorDict } from '@tdhook/core';
import { checkOptionNames, defineMethod } from '@tdhook/core/plugin';

import { checkAlpha, checkModelParameters, checkVectors } from './parameter-dict-checks.js';
import { combineTaskVectors } from './task-vector-arithmetic.js';

const id = 'weights/task-vectors';

// The original's applied program: one state change on the whole model, no hooks.
const replaceParameters = Object.freeze({
  path: '',
  direction: null,
  operation: 'replace-parameters',
} as const);

/**
 * Options of {@link taskVectors}. The dicts stay the caller's: they are read when the method is prepared
 * (keep them alive until then) and never disposed by it.
 *
 * @example
 * const options: TaskVectorsOptions = { pretrained, vectors: [forget], alpha: 0.5 };
 */
export interface TaskVectorsOptions {
  /** θ_pre: every parameter of the model, keyed as `readParameters(model)` keys them. */
  readonly pretrained: TensorDict;
  /** Task or forget vectors, summed; each with the keys and shapes of `pretrained`. At least one. */
  readonly vectors: readonly TensorDict[];
  /** The scale of their sum: the model gets θ_pre + alpha·Σ vectors. Finite; {@link chooseAlpha} picks one. */
  readonly alpha: number;
}

// The original's names: its with_applied_vectors(*vectors, alpha) reads θ_pre from the hooked model.
const renamed: Readonly<Record<string, string>> = {
  alphas: 'taskVectors applies one alpha; pick it with chooseAlpha({ alphas, accuracy, adequate, … }).',
  task_vectors: 'Use vectors.',
};

function configure(options: TaskVectorsOptions): TaskVectorsOptions {
  checkOptionNames(options, ['pretrained', 'vectors', 'alpha'], renamed, id);
  const { pretrained, vectors, alpha } = options;
  checkVectors(pretrained, vectors, `${id} options`);
  checkAlpha(alpha, 'alpha', `${id} options`);
  return { pretrained, vectors: Object.freeze([...vectors]), alpha };
}

/**
 * Task vectors (the original's `TaskVectors` / `with_applied_vectors`): while prepared, the model's parameters
 * are θ_pre + α·Σ vectors (every parameter; a dict whose keys or shapes differ from the model's is a typed
 * error naming the key, and nothing is changed). `prepared.restore()` (or the end of a `using` block, or an
 * error in `run`) writes the saved originals back, bit for bit. Program: one state change,
 * `{ path: '', direction: null, operation: 'replace-parameters' }`. Model keys unchanged, one pass. The options
 * hold TensorDicts, so `describe()` refuses them (JSON-only); `plan()` and `prepare()` work as for any method.
 *
 * @example
 * using pretrained = readParameters(model);
 * using forget = forgetVector(pretrained, finetunedParameters);
 * {
 *   using prepared = taskVectors({ pretrained, vectors: [forget], alpha: 0.5 }).prepare(model);
 *   using result = prepared.run(data); // the model with θ_pre − 0.5·τ
 * } // parameters back to what they were
 */
export const taskVectors: MethodFactory<TaskVectorsOptions> =
  /* @__PURE__ */ defineMethod<TaskVectorsOptions>({
    contract: 'tdhook.method/1',
    id,
    summary: 'Applies θ_pre + α·Σ task vectors to the parameters while prepared',
    configure,
    requirements: () => ({ modelPasses: 1, gradients: 'optional' }),
    plan: (options, model) => {
      if (model.node !== undefined) {
        const checked = checkVectors(options.pretrained, options.vectors, id);
        checkModelParameters(model.node, checked.pretrained, 'pretrained', id);
      }
      return { hooks: [replaceParameters], inKeys: model.inKeys, outKeys: [] };
    },
    bind: ({ pretrained, vectors, alpha }, context) => {
      const model = context.model.model;
      const checked = checkVectors(pretrained, vectors, id);
      checkModelParameters(model, checked.pretrained, 'pretrained', id);
      const weights = combineTaskVectors(pretrained, vectors, alpha);
      let restore: () => void;
      try {
        restore = applyParameters(model, weights);
      } finally {
        // The variables hold the written values now; this dict's handles are ours to drop.
        weights.dispose();
      }
      try {
        context.record(replaceParameters, restore);
      } catch (error) {
        // Not recorded, so the prepared model will not undo it: put the parameters back here.
        restore();
        throw error;
      }
      return { run: (data) => context.model.run(data) };
    },
  });
