import { InvalidValueError } from '../errors.js';
import { toKeyPath, type Key, type KeyPath } from '../keys.js';
import type { TensorDict } from '../tensordict/tensor-dict.js';

/**
 * A plain TensorDict step of a workflow: reads `inKeys`, returns a new TensorDict holding (at least) its
 * `outKeys`. It runs no model, so it costs no model pass.
 *
 * @example
 * const meanAttribution = defineOperator({
 *   name: 'mean-attribution',
 *   inKeys: [['attr', 'input']],
 *   outKeys: [['summary', 'mean']],
 *   run: (data) => new TensorDict({ summary: { mean: tf.mean(data.getTensor(['attr', 'input']), -1) } }, { batchShape: data.batchShape }),
 * });
 */
export interface TensorDictOperator {
  readonly kind: 'operator';
  readonly name: string;
  readonly inKeys: readonly KeyPath[];
  readonly outKeys: readonly KeyPath[];
  /** Returns a new TensorDict that the caller owns; must leave `data` as it was. */
  run(data: TensorDict): TensorDict;
}

/**
 * What {@link defineOperator} takes.
 *
 * @example
 * const definition: OperatorDefinition = { name: 'copy', inKeys: ['output'], outKeys: ['copy'], run: copyOutput };
 * const copy = defineOperator(definition);
 */
export interface OperatorDefinition {
  readonly name: string;
  readonly inKeys: readonly Key[];
  readonly outKeys: readonly Key[];
  readonly run: (data: TensorDict) => TensorDict;
}

/**
 * Checks and freezes an operator definition.
 *
 * @example
 * const op = defineOperator({ name: 'copy', inKeys: ['output'], outKeys: ['copy'], run: (d) => new TensorDict({ copy: tf.clone(d.getTensor('output')) }, { batchShape: d.batchShape }) });
 */
// Pure: bundlers drop a method (or operator) that is defined but never imported.
/* @__NO_SIDE_EFFECTS__ */
export function defineOperator(definition: OperatorDefinition): TensorDictOperator {
  if (typeof definition.name !== 'string' || definition.name === '' || typeof definition.run !== 'function') {
    throw new InvalidValueError({
      what: 'An operator needs a non-empty name and a run function',
      where: 'defineOperator',
      fix: 'Pass { name, inKeys, outKeys, run }.',
    });
  }
  return Object.freeze({
    kind: 'operator' as const,
    name: definition.name,
    inKeys: Object.freeze(
      definition.inKeys.map((key, index) => toKeyPath(key, `${definition.name} inKeys[${index}]`)),
    ),
    outKeys: Object.freeze(
      definition.outKeys.map((key, index) => toKeyPath(key, `${definition.name} outKeys[${index}]`)),
    ),
    run: definition.run,
  });
}
