// Policy weights to and from JSON: an exact round trip, and typed errors (the policy unchanged) on bad files.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { readParameters } from '@tdhook/core';
import { writeSafetensors } from '@tdhook/core/plugin';

import { ActorCritic, loadPolicyWeights, policyWeightsToJSON, type PolicyWeightsJSON } from '../src/index.js';

function policy(seed: number, hidden: readonly number[] = [8, 8]): ActorCritic {
  return new ActorCritic({ observationSize: 4, actions: 2, hidden, seed });
}

/** Every parameter's values, by key. */
function values(model: ActorCritic): Record<string, number[]> {
  using parameters = readParameters(model);
  return Object.fromEntries(
    parameters.keys().map((key) => [key.join('.'), Array.from(parameters.getTensor(key).dataSync())]),
  );
}

describe('policy weights as JSON', () => {
  it('round-trips every parameter bit for bit, through JSON text, with the metadata', () => {
    const source = policy(1);
    const target = policy(2);
    const json = JSON.parse(
      JSON.stringify(policyWeightsToJSON(source, { metadata: { seed: 1, note: 'test' } })),
    ) as PolicyWeightsJSON;
    expect(json.format).toBe('tdhook-policy-weights');
    expect(json.version).toBe(1);
    expect(json.metadata).toEqual({ seed: 1, note: 'test' });
    expect(values(target)).not.toEqual(values(source));
    loadPolicyWeights(target, json);
    expect(values(target)).toEqual(values(source));
    expect(Object.keys(values(target))).toEqual([
      'actor.0.kernel',
      'actor.0.bias',
      'actor.2.kernel',
      'actor.2.bias',
      'actor.4.kernel',
      'actor.4.bias',
      'critic.0.kernel',
      'critic.0.bias',
      'critic.2.kernel',
      'critic.2.bias',
      'critic.4.kernel',
      'critic.4.bias',
    ]);
    source.dispose();
    target.dispose();
  });

  it('rejects a wrong format, version, damaged bytes, missing or unknown keys and wrong shapes, changing nothing', () => {
    const source = policy(1);
    const target = policy(2);
    const before = values(target);
    const json = policyWeightsToJSON(source);
    const bad = (change: Record<string, unknown>): PolicyWeightsJSON => ({ ...json, ...change });
    expect(() => {
      loadPolicyWeights(target, bad({ format: 'other' }));
    }).toThrowTdhookError('E_INVALID_VALUE');
    expect(() => {
      loadPolicyWeights(target, bad({ version: 2 }));
    }).toThrowTdhookError('E_INVALID_VALUE');
    expect(() => {
      loadPolicyWeights(target, bad({ safetensors: '%%%' }));
    }).toThrowTdhookError('E_INVALID_VALUE');
    expect(() => {
      loadPolicyWeights(target, bad({ safetensors: json.safetensors.slice(0, 200) }));
    }).toThrowTdhookError('E_SAFETENSORS_FORMAT');
    // Fewer layers: the target's third Linear of each head is missing.
    const shallow = policy(3, [8]);
    expect(() => {
      loadPolicyWeights(target, policyWeightsToJSON(shallow));
    }).toThrowTdhookError('E_MISSING_KEY');
    // Wider layers: same keys, other shapes.
    const wide = policy(4, [16, 8]);
    expect(() => {
      loadPolicyWeights(target, policyWeightsToJSON(wide));
    }).toThrowTdhookError('E_SHAPE_MISMATCH');
    // Every key of the target and one more.
    const extra = tf.tidy(() => {
      using parameters = readParameters(source);
      const tensors = Object.fromEntries(
        parameters.keys().map((key) => [key.join('.'), parameters.getTensor(key)]),
      );
      const bytes = writeSafetensors({ ...tensors, 'actor.9.kernel': tf.zeros([2, 2]) }, { metadata: null });
      return btoa(String.fromCharCode(...bytes));
    });
    expect(() => {
      loadPolicyWeights(target, bad({ safetensors: extra }));
    }).toThrowTdhookError('E_UNKNOWN_PATH');
    expect(values(target)).toEqual(before);
    for (const model of [source, target, shallow, wide]) model.dispose();
  });
});
