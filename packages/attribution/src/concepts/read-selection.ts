import {
  formatKey,
  InvalidValueError,
  MissingKeyError,
  toKeyPath,
  type Key,
  type KeyPath,
  type TensorDict,
} from '@tdhook/core';
import { isTensor, joinKeys } from '@tdhook/core/plugin';

import { checkChannel } from './channel-gradient.js';
import { defaultConceptSelectionKey } from './selection-key.js';

/**
 * A selected channel and its direction: what {@link readConceptSelection} returns and
 * {@link conceptChannelGradient} takes.
 *
 * @example
 * const selected: ConceptChannel = { channel: 8, direction: 1 };
 * conceptChannelGradient(selected);
 */
export interface ConceptChannel {
  readonly channel: number;
  readonly direction: 1 | -1;
}

const where = 'attribution/readConceptSelection';

function uniformValue(data: TensorDict, key: KeyPath, name: string): number {
  const path = joinKeys(key, [name]);
  const fix = 'Run conceptSelection(...) first, or pass the outKey it wrote to.';
  if (!data.has(path)) {
    throw new MissingKeyError({ what: `No concept selection ${name} at ${formatKey(path)}`, where, fix });
  }
  const value = data.get(path);
  if (!isTensor(value)) {
    throw new InvalidValueError({ what: `The ${name} at ${formatKey(path)} is not a tensor`, where, fix });
  }
  const values = value.dataSync();
  if (values.length === 0) {
    throw new InvalidValueError({
      what: `The ${name} at ${formatKey(path)} is empty (shape [${value.shape.join(', ')}])`,
      where,
      fix: 'Select on a non-empty batch.',
    });
  }
  const first = Number(values[0]);
  for (let index = 1; index < values.length; index++) {
    if (Number(values[index]) !== first) {
      throw new InvalidValueError({
        what: `The ${name} at ${formatKey(path)} is not the same across the batch (${first} and ${String(values[index])})`,
        where,
        fix: 'Conditioned LRP applies one selection to the whole batch: select once, on the whole batch.',
      });
    }
  }
  if (!Number.isSafeInteger(first)) {
    throw new InvalidValueError({
      what: `The ${name} at ${formatKey(path)} must be an integer, got ${first}`,
      where,
    });
  }
  return first;
}

/**
 * Reads the selection {@link conceptSelection} wrote (under `key`, default
 * `['metrics', 'concept_selection']`) as one channel and direction, for conditioned LRP. Checks what the
 * original's ChannelConditionedLRP checks: both values uniform across the batch, integers, channel ≥ 0 and
 * direction ±1 (typed errors otherwise).
 *
 * @example
 * const { data: selected } = new Workflow([lrp({ ...options, modules: ['conv2'] }), conceptSelection({ relevanceKey: ['attr', 'conv2'] })]).run(model, data);
 * const conditioned = lrp({ ...options, outputGradients: { conv2: conceptChannelGradient(readConceptSelection(selected)) } });
 */
export function readConceptSelection(
  data: TensorDict,
  key: Key = defaultConceptSelectionKey,
): ConceptChannel {
  const path = toKeyPath(key, `${where} key`);
  const channel = uniformValue(data, path, 'channel');
  const direction = uniformValue(data, path, 'direction');
  checkChannel(channel, direction, `${where} ${formatKey(path)}`);
  return { channel, direction: direction as 1 | -1 };
}
