import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, type ModelNode } from '@tdhook/core';
import { parameterVariables, withGradientCleanup } from '@tdhook/core/plugin';

import { parametersUnder } from './pruned-parameters.js';

/**
 * What an {@link ImportanceCallback} is called with: the parameter's module path (from the model root), its
 * own name, its flat key (core's `parameterKey(path, name)`) and its current value, lent for the call (a
 * snapshot: never dispose it).
 *
 * @example
 * const args: ImportanceArgs = { path: 'fc1', name: 'kernel', key: 'fc1.kernel', parameter };
 */
export interface ImportanceArgs {
  readonly path: string;
  readonly name: string;
  readonly key: string;
  readonly parameter: tf.Tensor;
}

/**
 * Scores a parameter's entries for pruning: a tensor of the parameter's shape (pruning compares absolute
 * values, as torch's L1 pruning does, and takes the returned tensor over), or `null` to leave the parameter
 * out (it is neither scored nor pruned). The original's `importance_callback`.
 *
 * @example
 * const weightsOnly: ImportanceCallback = ({ name, parameter }) => (name === 'bias' ? null : tf.abs(parameter));
 */
export type ImportanceCallback = (args: ImportanceArgs) => tf.Tensor | null;

/**
 * Magnitude importance, the default: `|θ|`. Global pruning with it zeroes the smallest weights of the whole
 * model; structured pruning zeroes the units with the smallest Ln norm.
 *
 * @example
 * using prepared = pruning({ amount: 0.5, importance: magnitudeImportance }).prepare(model);
 */
export const magnitudeImportance: ImportanceCallback = ({ parameter }) => tf.abs(parameter);

/**
 * Options of {@link gradientImportance}.
 *
 * @example
 * const options: GradientImportanceOptions = { model, loss: () => crossEntropy(model, images, labels) };
 */
export interface GradientImportanceOptions {
  /** The model whose parameters are scored (the one that will be pruned). */
  readonly model: ModelNode;
  /**
   * The loss of batch `batch` (0, 1, … `batches − 1`), a scalar computed by running the model. A mean over
   * the batch's samples gives averaged scores, a sum summed ones.
   */
  readonly loss: (batch: number) => tf.Scalar;
  /** How many batches to score over; scores are the mean over batches. Default 1. */
  readonly batches?: number;
}

/**
 * An {@link ImportanceCallback} holding precomputed scores: dispose it (or `using`) when done.
 *
 * @example
 * using importance = gradientImportance({ model, loss });
 * importance.scores.get('fc1.kernel'); // the kept scores of fc1's kernel
 */
export interface GradientImportance extends Disposable {
  readonly importance: ImportanceCallback;
  /** Scores by parameter key, owned by this object. */
  readonly scores: ReadonlyMap<string, tf.Tensor>;
  dispose(): void;
}

const where = 'gradientImportance';

function checkOptions(options: GradientImportanceOptions): number {
  const batches = options.batches ?? 1;
  if (!Number.isInteger(batches) || batches < 1) {
    throw new InvalidValueError({
      what: `batches must be a positive integer, got ${String(batches)}`,
      where: `${where} batches`,
      fix: 'Pass batches: 1 or more (loss is called once per batch).',
    });
  }
  if (typeof options.loss !== 'function') {
    throw new InvalidValueError({
      what: 'loss must be a function that returns a scalar',
      where: `${where} loss`,
      fix: 'Pass loss: (batch) => a scalar tensor computed by running the model on batch number `batch`.',
    });
  }
  return batches;
}

function scalarLoss(value: unknown, batch: number): tf.Scalar {
  if (!(value instanceof tf.Tensor) || value.rank !== 0 || value.dtype !== 'float32') {
    throw new InvalidValueError({
      what: `loss(${batch}) did not return a float32 scalar`,
      where: `${where} loss`,
      fix: 'Return a scalar, e.g. tf.mean(tf.losses.softmaxCrossEntropy(labels, logits)).',
    });
  }
  return value as tf.Scalar;
}

// The live variables of the float parameters pruning scores (core's bridge hands out copies, which a loss does
// not depend on); a float parameter held outside a variable has no gradient.
function floatVariables(model: ModelNode): Map<string, tf.Variable> {
  const live = parameterVariables(model);
  const variables = new Map<string, tf.Variable>();
  for (const { info } of parametersUnder(model, '')) {
    const variable = live.get(info.key);
    if (variable === undefined) {
      throw new InvalidValueError({
        what: `Parameter '${info.key}' is not held in a TF.js variable, so it has no gradient`,
        where: 'gradientImportance',
        fix: 'Score this model with an importance callback of your own.',
      });
    }
    variables.set(info.key, variable);
  }
  return variables;
}

/**
 * First-order Taylor importance `|θ ⊙ ∂loss/∂θ|` of every float parameter of `model` (the estimated change
 * of the loss when an entry is zeroed), averaged over `batches` calls of `loss`. Computed now with
 * `tf.variableGrads` (call it before preparing the pruning, on a backend whose gradients are registered, e.g.
 * by `@tdhook/backend`); a parameter the loss does not depend on scores 0.
 *
 * @example
 * using taylor = gradientImportance({
 *   model,
 *   loss: () => tf.tidy(() => tf.losses.softmaxCrossEntropy(labels, model.predict(images) as tf.Tensor)),
 * });
 * using prepared = pruning({ amount: 0.5, importance: taylor.importance }).prepare(model);
 */
export function gradientImportance(options: GradientImportanceOptions): GradientImportance {
  const batches = checkOptions(options);
  const byKey = floatVariables(options.model);
  if (byKey.size === 0) {
    throw new InvalidValueError({
      what: 'The model has no float parameters to score',
      where,
      fix: 'Pass the model that will be pruned.',
    });
  }
  const keys = [...byKey.keys()];
  const variables = [...byKey.values()];
  let sums: tf.Tensor[] = variables.map((variable) => tf.zerosLike(variable));
  try {
    for (let batch = 0; batch < batches; batch += 1) {
      const next: tf.Tensor[] = withGradientCleanup(() =>
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => scalarLoss(options.loss(batch), batch), variables);
          value.dispose();
          return variables.map((variable, index) => {
            const gradient = grads[variable.name];
            const sum = sums[index] as tf.Tensor;
            return gradient == null ? tf.clone(sum) : tf.add(sum, tf.abs(tf.mul(variable, gradient)));
          });
        }),
      );
      tf.dispose(sums);
      sums = next;
    }
  } catch (error) {
    tf.dispose(sums);
    throw error;
  }
  const scores = new Map<string, tf.Tensor>();
  keys.forEach((key, index) => {
    const sum = sums[index] as tf.Tensor;
    scores.set(key, batches === 1 ? sum : tf.tidy(() => tf.div(sum, batches)));
    if (batches !== 1) sum.dispose();
  });
  const dispose = (): void => {
    tf.dispose([...scores.values()]);
    scores.clear();
  };
  return {
    scores,
    importance: ({ key }) => {
      const found = scores.get(key);
      if (found === undefined) {
        throw new InvalidValueError({
          what: `gradientImportance has no scores for parameter '${key}'`,
          where,
          fix: 'Compute the scores on the model being pruned, and prune before disposing them.',
        });
      }
      return tf.clone(found);
    },
    dispose,
    [Symbol.dispose]: dispose,
  };
}
