import * as tf from '@tensorflow/tfjs-core';

import { InvalidKeyError, InvalidValueError, MissingKeyError, ShapeMismatchError } from '../errors.js';
import { describeStructure } from '../hooks/tensor-leaves.js';
import { isTensor } from '../value-guards.js';
import { formatKey, keysEqual, toKeyPath, type Key, type KeyPath } from '../keys.js';
import { KeyedModule } from '../modules/keyed-module.js';
import { Module } from '../modules/module.js';
import { isModelNode, type ModelNode } from '../modules/model-node.js';
import type { TensorDict } from '../tensordict/tensor-dict.js';

/**
 * How a model's arguments and results map to TensorDict keys. An array maps positional arguments (or a
 * Layers model's inputs, or a model's array of outputs) in order; a record maps a single object argument (or
 * an object result) by field name: `{ input_ids: 'tokens', attention_mask: ['masks', 'attention'] }`.
 *
 * @example
 * const positional: KeyMapping = ['pixels', ['masks', 'attention']];
 * const byField: KeyMapping = { input_ids: 'tokens', attention_mask: ['masks', 'attention'] };
 */
export type KeyMapping = readonly Key[] | Readonly<Record<string, Key>>;

/**
 * The keys of a wrapped model. Defaults: `inKeys: ['input']`, `outKeys: ['output']`.
 *
 * @example
 * const keys: ModelKeys = { inKeys: ['pixels'], outKeys: ['logits'] };
 * const keyed = new KeyedModel(model, keys);
 */
export interface ModelKeys {
  readonly inKeys?: KeyMapping;
  readonly outKeys?: KeyMapping;
}

interface NormalisedMapping {
  /** Field names for a record mapping, undefined for a positional one. */
  readonly fields: readonly string[] | undefined;
  readonly keys: readonly KeyPath[];
}

function normaliseMapping(mapping: KeyMapping, where: string): NormalisedMapping {
  if (Array.isArray(mapping)) {
    const list = mapping as readonly Key[];
    if (list.length === 0)
      throw new InvalidValueError({ what: `${where} is empty`, where, fix: 'Name at least one key.' });
    return { fields: undefined, keys: list.map((key, index) => toKeyPath(key, `${where}[${index}]`)) };
  }
  const entries = Object.entries(mapping as Readonly<Record<string, Key>>);
  if (entries.length === 0)
    throw new InvalidValueError({ what: `${where} is empty`, where, fix: 'Name at least one key.' });
  return {
    fields: entries.map(([field]) => field),
    keys: entries.map(([field, key]) => toKeyPath(key, `${where}.${field}`)),
  };
}

// The model keys' defaults, written here only.
const defaultInKeys: KeyMapping = ['input'];
const defaultOutKeys: KeyMapping = ['output'];

/**
 * The keys a model is run with: a {@link KeyedModule}'s own keys (any `keys` given must name some of them:
 * they are checked, never used), otherwise `keys` as given.
 *
 * @example
 * resolveModelKeys(policy, { inKeys: ['observation'] }); // policy's own inKeys and outKeys
 */
export function resolveModelKeys(model: unknown, keys: ModelKeys = {}): ModelKeys {
  if (!(model instanceof KeyedModule)) return keys;
  const own = { inKeys: model.inKeys, outKeys: model.outKeys };
  for (const side of ['inKeys', 'outKeys'] as const) {
    const given = keys[side];
    if (given === undefined) continue;
    const ownPaths = normaliseMapping(own[side], `${model.typeName}.${side}`).keys;
    for (const key of normaliseMapping(given, side).keys) {
      if (!ownPaths.some((path) => keysEqual(path, key))) {
        throw new InvalidKeyError({
          what: `Key ${formatKey(key)} is not one of ${model.typeName}'s own ${side} (${ownPaths.map((path) => formatKey(path)).join(', ')})`,
          where: side,
          fix: `${model.typeName} is a KeyedModule and names its keys itself: leave ${side} out, or name only its own keys.`,
        });
      }
    }
  }
  return own;
}

/**
 * The key paths a model reads and writes under `keys`, the defaults (`['input']`, `['output']`) filled in:
 * what method plans use, the same as a {@link KeyedModel}'s.
 *
 * @example
 * modelKeyPaths({ outKeys: ['logits'] }); // { inKeys: [['input']], outKeys: [['logits']] }
 */
export function modelKeyPaths(keys: ModelKeys = {}): {
  readonly inKeys: readonly KeyPath[];
  readonly outKeys: readonly KeyPath[];
} {
  return {
    inKeys: normaliseMapping(keys.inKeys ?? defaultInKeys, 'inKeys').keys,
    outKeys: normaliseMapping(keys.outKeys ?? defaultOutKeys, 'outKeys').keys,
  };
}

const product = (shape: readonly number[]): number => shape.reduce((total, size) => total * size, 1);

/**
 * A model read and written through TensorDict keys (the original's TensorDictModule): it takes its inputs
 * from `inKeys`, flattens all batch dims into one for the model, and writes its outputs under `outKeys` with
 * the batch dims restored. Works for plain {@link Module}s (called with `call`) and TF.js Layers models
 * (called with `apply`).
 *
 * @example
 * const keyed = new KeyedModel(model, { inKeys: ['pixels'], outKeys: ['logits'] });
 * using result = keyed.run(data); // data plus "logits"
 */
export class KeyedModel {
  readonly model: ModelNode;
  readonly #inputs: NormalisedMapping;
  readonly #outputs: NormalisedMapping;

  constructor(model: ModelNode, keys: ModelKeys = {}) {
    if (!isModelNode(model)) {
      throw new InvalidValueError({
        what: `Expected a model (a tdhook Module or a TF.js Layers model), got ${describeStructure(model)}`,
        where: 'KeyedModel',
        fix: 'Pass a Module subclass instance or a tf.LayersModel.',
      });
    }
    this.model = model;
    const resolved = resolveModelKeys(model, keys);
    this.#inputs = normaliseMapping(resolved.inKeys ?? defaultInKeys, 'inKeys');
    this.#outputs = normaliseMapping(resolved.outKeys ?? defaultOutKeys, 'outKeys');
  }

  /** The keys the model reads, in argument order. */
  get inKeys(): readonly KeyPath[] {
    return this.#inputs.keys;
  }

  /** The keys the model writes, in output order. */
  get outKeys(): readonly KeyPath[] {
    return this.#outputs.keys;
  }

  /**
   * Calls the model on tensors that already have one batch axis, in `inKeys` order, and returns its outputs
   * in `outKeys` order. The building block for gradient closures (`tf.grads((...xs) => …)`).
   *
   * @example
   * const [logits] = keyed.callTensors([x]);
   */
  callTensors(inputs: readonly tf.Tensor[]): tf.Tensor[] {
    const { fields } = this.#inputs;
    let output: unknown;
    if (this.model instanceof Module) {
      const args =
        fields === undefined
          ? inputs
          : [Object.fromEntries(fields.map((field, index) => [field, inputs[index]]))];
      output = (this.model as Module<unknown[], unknown>).call(...args);
    } else {
      output = this.model.apply(inputs.length === 1 ? inputs[0] : [...inputs]);
    }
    return this.#splitOutputs(output);
  }

  #splitOutputs(output: unknown): tf.Tensor[] {
    const { fields, keys } = this.#outputs;
    const mismatch = (): ShapeMismatchError =>
      new ShapeMismatchError({
        what: `The model returned ${describeStructure(output)}, which does not match outKeys ${keys.map((key) => formatKey(key)).join(', ')}`,
        where: 'outKeys',
        fix: 'Give one key per output tensor (an array), or a record { field: key } for an object result.',
      });
    if (fields !== undefined) {
      if (typeof output !== 'object' || output === null || Array.isArray(output)) throw mismatch();
      const record = output as Record<string, unknown>;
      return fields.map((field) => {
        const value = record[field];
        if (!isTensor(value)) throw mismatch();
        return value;
      });
    }
    const list: unknown[] = isTensor(output) ? [output] : Array.isArray(output) ? (output as unknown[]) : [];
    const tensors = list.filter(isTensor);
    if (tensors.length !== keys.length || tensors.length !== list.length) throw mismatch();
    return tensors;
  }

  /**
   * Reads the inputs from `data`, runs the model once with the batch dims flattened, and returns a new
   * TensorDict: the entries of `data` plus the outputs. `data` is left as it was; the caller owns both.
   *
   * @example
   * using result = keyed.run(data);
   * result.getTensor('output');
   */
  run(data: TensorDict): TensorDict {
    const batchShape = data.batchShape;
    const inputs = this.#inputs.keys.map((key) => {
      if (!data.has(key)) {
        throw new MissingKeyError({
          what: `The model reads ${formatKey(key)}, which is not in the TensorDict`,
          where: 'inKeys',
          fix: `Add it, or map inKeys to existing keys: ${data
            .keys()
            .slice(0, 10)
            .map((k) => formatKey(k))
            .join(', ')}.`,
        });
      }
      return data.getTensor(key);
    });
    const outputs = tf.tidy(() => {
      const flat = inputs.map((input) =>
        tf.reshape(input, [product(batchShape), ...input.shape.slice(batchShape.length)]),
      );
      return this.callTensors(flat).map((output) =>
        tf.reshape(output, [...batchShape, ...output.shape.slice(1)]),
      );
    });
    const result = data.clone();
    this.#outputs.keys.forEach((key, index) => {
      const output = outputs[index];
      if (output !== undefined) result.set(key, output);
    });
    return result;
  }
}
