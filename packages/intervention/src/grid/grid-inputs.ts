import * as tf from '@tensorflow/tfjs-core';
import {
  formatKey,
  InvalidValueError,
  MissingKeyError,
  ShapeMismatchError,
  type KeyPath,
  type TensorDict,
} from '@tdhook/core';

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

function lookup(data: TensorDict, key: KeyPath, role: string, where: string, fix: string): tf.Tensor {
  if (!data.has(key)) {
    const known = data
      .keys()
      .slice(0, 10)
      .map((entry) => formatKey(entry))
      .join(', ');
    throw new MissingKeyError({
      what: `The ${role} inputs ${formatKey(key)} are not in the TensorDict (it has ${known})`,
      where,
      fix,
    });
  }
  return data.getTensor(key);
}

/**
 * Reads and checks the inputs of both runs, before any model call: every input key present under the model's
 * key (source) and under `[...patchKey, ...key]` (receiving), with equal shapes and dtypes, and at least one
 * sample. Throws `MissingKeyError`, `ShapeMismatchError` or `InvalidValueError` naming the key.
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
  const pairs = inKeys.map((key) => {
    const receivingKey: KeyPath = [...patchKey, ...key];
    const source = lookup(
      data,
      key,
      'source (clean)',
      where,
      `Put the source run's inputs under ${formatKey(key)} and the receiving run's under ${formatKey(receivingKey)}.`,
    );
    const receiving = lookup(
      data,
      receivingKey,
      'receiving (corrupted)',
      where,
      `Put the receiving run's inputs under ${formatKey(receivingKey)} (patchKey ${formatKey(patchKey)} + the model's input key).`,
    );
    if (source.shape.join(',') !== receiving.shape.join(',')) {
      throw new ShapeMismatchError({
        what: `The source inputs ${formatKey(key)} have shape ${shapeText(source.shape)} but the receiving inputs ${formatKey(receivingKey)} have ${shapeText(receiving.shape)}`,
        where,
        fix: 'Patching replaces values elementwise: give both runs inputs of one shape (pad prompts to one length).',
      });
    }
    if (source.dtype !== receiving.dtype) {
      throw new InvalidValueError({
        what: `The source inputs ${formatKey(key)} are ${source.dtype} but the receiving inputs ${formatKey(receivingKey)} are ${receiving.dtype}`,
        where,
        fix: 'Give both runs inputs of one dtype (token ids as int32).',
      });
    }
    return { source, receiving };
  });
  const flat = (tensor: tf.Tensor): tf.Tensor =>
    tf.reshape(tensor, [samples, ...tensor.shape.slice(batchShape.length)]);
  return {
    source: pairs.map(({ source }) => flat(source)),
    receiving: pairs.map(({ receiving }) => flat(receiving)),
    batchShape,
    samples,
  };
}
