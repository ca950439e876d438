import * as tf from '@tensorflow/tfjs-core';
import {
  InvalidValueError,
  listParameters,
  MissingKeyError,
  readParameters,
  TensorDict,
  writeParameters,
  type JsonObject,
  type ModelNode,
} from '@tdhook/core';
import { readSafetensors, writeSafetensors } from '@tdhook/core/plugin';

import { base64ToBytes, bytesToBase64 } from './base64.js';

// The format tag and the version this package writes and reads.
const policyWeightsFormat = 'tdhook-policy-weights';
const policyWeightsVersion = 1;

/**
 * A policy's parameters as JSON (a small versioned format that works in browsers): `safetensors` is the
 * base64 of a safetensors file (core's `writeSafetensors`: little-endian float32 values and a header naming
 * each parameter by its {@link parameterKey}, e.g. `actor.0.kernel`, with its shape); `metadata` is free JSON
 * (architecture, how it was trained).
 *
 * @example
 * const json: PolicyWeightsJSON = policyWeightsToJSON(policy, { metadata: { seed: 1 } });
 * JSON.stringify(json);
 */
export interface PolicyWeightsJSON {
  readonly format: 'tdhook-policy-weights';
  readonly version: 1;
  readonly safetensors: string;
  readonly metadata?: JsonObject;
}

/**
 * Options of {@link policyWeightsToJSON}.
 *
 * @example
 * const options: PolicyWeightsOptions = { metadata: { architecture: { hidden: [32, 32] } } };
 */
export interface PolicyWeightsOptions {
  /** Free JSON kept beside the weights. Default none. */
  readonly metadata?: JsonObject;
}

/**
 * Every parameter of `policy` (an {@link ActorCritic} or any tdhook module) as {@link PolicyWeightsJSON}.
 *
 * @example
 * writeFileSync('policy.json', JSON.stringify(policyWeightsToJSON(policy)));
 */
export function policyWeightsToJSON(
  policy: ModelNode,
  options: PolicyWeightsOptions = {},
): PolicyWeightsJSON {
  using parameters = readParameters(policy);
  const tensors = Object.fromEntries(
    parameters.keys().map((key) => [String(key), parameters.getTensor(key)] as const),
  );
  const safetensors = bytesToBase64(writeSafetensors(tensors, { metadata: null }));
  return {
    format: policyWeightsFormat,
    version: policyWeightsVersion,
    safetensors,
    ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
  };
}

function invalid(what: string, fix: string): never {
  throw new InvalidValueError({ what, where: 'loadPolicyWeights(policy, json)', fix });
}

function decode(json: unknown): Uint8Array {
  if (typeof json !== 'object' || json === null) {
    invalid(
      `The weights must be a PolicyWeightsJSON object, got ${typeof json}`,
      'Pass what policyWeightsToJSON returned (parsed).',
    );
  }
  const record = json as Record<string, unknown>;
  if (record['format'] !== policyWeightsFormat) {
    invalid(
      `The weights' format is ${JSON.stringify(record['format'])}, not "${policyWeightsFormat}"`,
      'Pass the JSON that policyWeightsToJSON wrote.',
    );
  }
  if (record['version'] !== policyWeightsVersion) {
    invalid(
      `The weights are version ${JSON.stringify(record['version'])}; this package reads version ${policyWeightsVersion}`,
      'Write the weights again with this version of @tdhook/adapter-rl.',
    );
  }
  const text = record['safetensors'];
  if (typeof text !== 'string')
    invalid('The weights have no "safetensors" string', 'Pass the JSON that policyWeightsToJSON wrote.');
  try {
    return base64ToBytes(text);
  } catch (error) {
    throw new InvalidValueError({
      what: 'The weights\' "safetensors" field is not base64',
      where: 'loadPolicyWeights(policy, json)',
      fix: 'The file is damaged; write it again with policyWeightsToJSON.',
      cause: error,
    });
  }
}

/**
 * Writes {@link PolicyWeightsJSON} into `policy`'s parameters, all or nothing. Checked before any write: the
 * format and version (`InvalidValueError`), the bytes (`SafetensorsError`), every parameter of the policy
 * present (`MissingKeyError`), no unknown key (`UnknownPathError`), shapes (`ShapeMismatchError`) and values
 * (no NaN: `InvalidValueError`); on any error the policy is unchanged.
 *
 * @example
 * const policy = new ActorCritic({ observationSize: 4, actions: 2, hidden: [32, 32] });
 * loadPolicyWeights(policy, JSON.parse(readFileSync('policy.json', 'utf8')));
 */
export function loadPolicyWeights(policy: ModelNode, json: PolicyWeightsJSON): void {
  const { tensors } = readSafetensors(decode(json), { file: 'PolicyWeightsJSON.safetensors' });
  const missing = listParameters(policy)
    .map((info) => info.key)
    .filter((key) => !Object.hasOwn(tensors, key));
  if (missing.length > 0) {
    throw new MissingKeyError({
      what: `The weights lack ${missing.length} parameter(s) of the policy: ${missing.join(', ')}`,
      where: 'loadPolicyWeights(policy, json)',
      fix: 'Load weights written from a policy of the same architecture (layers, widths).',
    });
  }
  using parameters = new TensorDict(
    Object.entries(tensors).map(([key, tensor]) => [key, tf.tensor(tensor.data, [...tensor.shape])] as const),
  );
  writeParameters(policy, parameters);
}
