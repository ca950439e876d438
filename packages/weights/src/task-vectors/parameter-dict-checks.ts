// The checks every task-vector function runs before computing anything: parameter dicts are flat dicts of
// float tensors, they agree key by key and shape by shape with each other and with the model, and α is finite.
import type * as tf from '@tensorflow/tfjs-core';
import {
  formatKey,
  InvalidValueError,
  listParameters,
  MissingKeyError,
  type ModelNode,
  ShapeMismatchError,
  TensorDict,
  UnknownPathError,
} from '@tdhook/core';

/** A parameter dict's tensors by key (`'conv1.kernel'`), in its order; lent, never disposed here. */
export type ParameterTensors = ReadonlyMap<string, tf.Tensor>;

function nearest(key: string, keys: readonly string[]): string {
  const head = key.slice(0, key.lastIndexOf('.') + 1);
  const near = keys.filter((candidate) => head !== '' && candidate.startsWith(head));
  const listed = (near.length > 0 ? near : keys).slice(0, 8);
  return listed.length === 0 ? 'none' : listed.map((name) => `'${name}'`).join(', ');
}

/**
 * The tensors of `dict`, named `name` in messages: a live TensorDict with no batch dims whose leaves are
 * float32 tensors (what `readParameters` returns).
 */
export function parameterTensors(dict: unknown, name: string, where: string): ParameterTensors {
  if (!(dict instanceof TensorDict)) {
    throw new InvalidValueError({
      what: `${name} is ${dict === null ? 'null' : typeof dict}, not a TensorDict`,
      where,
      fix: 'Pass parameters as a TensorDict keyed like readParameters(model) returns them.',
    });
  }
  if (dict.isDisposed) {
    throw new InvalidValueError({
      what: `${name} was disposed`,
      where,
      fix: 'Keep the parameter dicts alive until the call (or prepare) returns.',
    });
  }
  if (dict.batchShape.length > 0) {
    throw new ShapeMismatchError({
      what: `${name} has batch dims [${dict.batchShape.join(', ')}]; parameter dicts have none`,
      where,
      fix: 'Use a dict from readParameters(model), or one computed from such dicts (taskVector, combineTaskVectors).',
    });
  }
  const tensors = new Map<string, tf.Tensor>();
  for (const [path, value] of dict.entries()) {
    const key = path.length === 1 ? path[0] : formatKey(path);
    if (!isTensorLike(value) || value.dtype !== 'float32') {
      throw new InvalidValueError({
        what: `${name}['${key}'] is ${isTensorLike(value) ? `a ${value.dtype} tensor` : 'not a tensor'}`,
        where,
        fix: 'Parameter dicts hold float32 tensors only.',
      });
    }
    tensors.set(key, value);
  }
  return tensors;
}

function isTensorLike(value: unknown): value is tf.Tensor {
  return (
    typeof value === 'object' &&
    value !== null &&
    'dtype' in value &&
    'shape' in value &&
    typeof (value as tf.Tensor).dataSync === 'function'
  );
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, axis) => size === b[axis]);
}

/**
 * Checks that `other` has exactly the keys of `reference` and the same shape at each: the first key missing,
 * extra or of another shape is the error.
 */
export function checkSameParameters(
  reference: ParameterTensors,
  other: ParameterTensors,
  names: { readonly reference: string; readonly other: string },
  where: string,
): void {
  const otherKeys = [...other.keys()];
  for (const [key, tensor] of reference) {
    const match = other.get(key);
    if (match === undefined) {
      throw new MissingKeyError({
        what: `${names.other} has no parameter '${key}', which ${names.reference} has`,
        where,
        fix: `Compute both from the same model (readParameters). Near keys in ${names.other}: ${nearest(key, otherKeys)}.`,
      });
    }
    if (!sameShape(tensor.shape, match.shape)) {
      throw new ShapeMismatchError({
        what: `${names.other}['${key}'] has shape [${match.shape.join(', ')}], ${names.reference}['${key}'] has [${tensor.shape.join(', ')}]`,
        where,
        fix: 'Compute both from models of the same architecture.',
      });
    }
  }
  for (const key of otherKeys) {
    if (!reference.has(key)) {
      throw new UnknownPathError({
        what: `${names.other} has parameter '${key}', which ${names.reference} lacks`,
        where,
        fix: `Compute both from the same model (readParameters). Near keys in ${names.reference}: ${nearest(key, [...reference.keys()])}.`,
      });
    }
  }
}

/**
 * Checks that `tensors` has exactly the keys of the model's parameters (`listParameters(model)`), with their
 * shapes, so that writing it replaces every parameter (the original's strict `load_state_dict`).
 */
export function checkModelParameters(
  model: ModelNode,
  tensors: ParameterTensors,
  name: string,
  where: string,
): void {
  const parameters = listParameters(model);
  const byKey = new Map(parameters.map((info) => [info.key, info] as const));
  for (const info of parameters) {
    const tensor = tensors.get(info.key);
    if (tensor === undefined) {
      throw new MissingKeyError({
        what: `${name} has no entry for the model's parameter '${info.key}'`,
        where,
        fix: `Read the dicts from this model's architecture with readParameters(model). Near keys in ${name}: ${nearest(info.key, [...tensors.keys()])}.`,
      });
    }
    if (!sameShape(tensor.shape, info.shape)) {
      throw new ShapeMismatchError({
        what: `${name}['${info.key}'] has shape [${tensor.shape.join(', ')}], the model's parameter has [${info.shape.join(', ')}]`,
        where,
        fix: 'Use dicts read from a model of the same architecture.',
      });
    }
  }
  for (const key of tensors.keys()) {
    if (!byKey.has(key)) {
      throw new UnknownPathError({
        what: `${name} has '${key}', which is not a parameter of the model`,
        where,
        fix: `Use the keys listParameters(model) gives. Near ones: ${nearest(key, [...byKey.keys()])}.`,
      });
    }
  }
}

/** Checks that α is a finite number. */
export function checkAlpha(alpha: unknown, name: string, where: string): asserts alpha is number {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
    throw new InvalidValueError({
      what: `${name} is ${typeof alpha === 'number' ? String(alpha) : typeof alpha}, not a finite number`,
      where,
      fix: 'Pass a finite number, e.g. 0.5 (θ_pre + 0.5·Σ vectors).',
    });
  }
}

/**
 * Checks `pretrained` and every vector (flat float32 dicts, same keys and shapes) and returns the pretrained
 * tensors.
 */
export function checkVectors(
  pretrained: unknown,
  vectors: unknown,
  where: string,
): { pretrained: ParameterTensors; vectors: TensorDict[] } {
  const reference = parameterTensors(pretrained, 'pretrained', where);
  if (!Array.isArray(vectors) || vectors.length === 0) {
    throw new InvalidValueError({
      what: `vectors is ${Array.isArray(vectors) ? 'empty' : typeof vectors}`,
      where,
      fix: 'Pass a non-empty array of task vectors: [taskVector(pretrained, finetuned)].',
    });
  }
  const dicts: TensorDict[] = [];
  vectors.forEach((vector: unknown, index) => {
    const name = `vectors[${index}]`;
    checkSameParameters(reference, parameterTensors(vector, name, where), { reference: 'pretrained', other: name }, where);
    dicts.push(vector as TensorDict);
  });
  return { pretrained: reference, vectors: dicts };
}
