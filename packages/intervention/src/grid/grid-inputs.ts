import * as tf from '@tensorflow/tfjs-core';
import { formatKey, MissingKeyError, ShapeMismatchError, type KeyPath, type TensorDict } from '@tdhook/core';

import { checkInputsUnder, checkSameInputs } from '../methods/run-inputs.js';

/**
 * The inputs of a patching run, batch dims flattened into one: the source (clean) run's and the receiving
 * (corrupted) run's, in the model's input order. The caller disposes the tensors.
 */
export interface PatchingInputs {
  readonly source: tf.Tensor[];
  readonly receiving: tf.Tensor[];
  readonly batchShape: readonly number[];
  /** Rows of one copy of the batch: the product of the batch dims. */
  readonly samples: number;
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Reads and checks the inputs of both runs, before any model call, as activationPatching does
 * (`methods/run-inputs.ts`): every input key present under the model's key (source) and under
 * `[...patchKey, ...key]` (receiving), with equal shapes and dtypes, and at least one sample. Throws
 * `MissingKeyError`, `ShapeMismatchError` or `InvalidValueError` naming the key.
 *
 * @example
 * const inputs = readPatchingInputs(data, context.model.inKeys, ['patched'], 'activationPatchingGrid');
 * tf.dispose([...inputs.source, ...inputs.receiving]);
 */
export function readPatchingInputs(
  data: TensorDict,
  inKeys: readonly KeyPath[],
  patchKey: KeyPath,
  where: string,
): PatchingInputs {
  const batchShape = data.batchShape;
  const samples = batchShape.reduce((product, size) => product * size, 1);
  if (samples < 1) {
    throw new ShapeMismatchError({
      what: `The data's batch shape ${shapeText(batchShape)} holds no sample`,
      where,
      fix: 'Give at least one clean/corrupted pair.',
    });
  }
  for (const key of inKeys) {
    if (!data.has(key)) {
      throw new MissingKeyError({
        what: `The source (clean) run reads the model input ${formatKey(key)}, which is not in the data`,
        where,
        fix: `Put the source run's inputs under the model's input keys and the receiving run's under ${formatKey(patchKey)}.`,
      });
    }
  }
  const receiving = checkInputsUnder(data, patchKey, inKeys, where); // the data's own sub-dict
  checkSameInputs(data, receiving, inKeys, ['source (clean)', 'receiving (corrupted)'], where);
  const flat = (tensor: tf.Tensor): tf.Tensor =>
    tf.reshape(tensor, [samples, ...tensor.shape.slice(batchShape.length)]);
  return {
    source: inKeys.map((key) => flat(data.getTensor(key))),
    receiving: inKeys.map((key) => flat(receiving.getTensor(key))),
    batchShape,
    samples,
  };
}
