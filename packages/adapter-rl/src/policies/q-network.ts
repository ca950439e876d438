import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, KeyedModule, Lambda, Sequential } from '@tdhook/core';

import { Linear } from '../modules/linear.js';

/**
 * Options of {@link QNetwork}.
 *
 * @example
 * const options: QNetworkOptions = { length: 9, hidden: [16, 8], seed: 7 };
 */
export interface QNetworkOptions {
  /** Cells of the corridor: the observation is `[2, length]` (agent plane, goal plane). Default 9. */
  readonly length?: number;
  /** Widths of the two hidden layers of `features`. Default `[16, 8]`. */
  readonly hidden?: readonly [number, number];
  /** Seeds the initial weights (each Linear gets its own seed from it). Default 0. */
  readonly seed?: number;
  /** Actions (0 = left, 1 = right on the corridor). Default 2. */
  readonly actions?: number;
}

/**
 * What {@link QNetwork} returns: the action values and the greedy action (int32).
 *
 * @example
 * const { action_value, action }: QNetworkOutput = new QNetwork().call(observation);
 */
export interface QNetworkOutput {
  readonly action_value: tf.Tensor;
  readonly action: tf.Tensor;
}

const where = 'QNetwork';

function checkSize(value: unknown, name: string, minimum: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new InvalidValueError({
      what: `${name} must be an integer ≥ ${minimum}, got ${String(value)}`,
      where,
      fix: `Pass ${name}: ${Math.max(minimum, 2)} or more.`,
    });
  }
  return value;
}

/**
 * The corridor tutorial's Q-network as a module that owns its keys: `observation` (`[..., 2, length]`) →
 * `action_value` (`[..., actions]`) and the greedy `action` (int32 `[...]`, TorchRL's QValueModule). Children:
 * `flatten`, `features` (a Sequential of Linear, ReLU, Linear, ReLU: `features.2` is the second Linear) and
 * `policy_head` (Linear). Every method and workflow uses its keys without being told.
 *
 * @example
 * const q = new QNetwork({ seed: 7 });
 * using prepared = saliency({ target: { output: 'action_value', select: 'argmax' } }).prepare(q);
 */
export class QNetwork extends KeyedModule<[tf.Tensor], QNetworkOutput> {
  readonly inKeys: readonly ['observation'] = ['observation'];
  readonly outKeys: { readonly action_value: 'action_value'; readonly action: 'action' } = {
    action_value: 'action_value',
    action: 'action',
  };
  readonly length: number;
  readonly hidden: readonly [number, number];
  readonly actions: number;
  readonly flatten: Lambda;
  readonly features: Sequential;
  readonly policy_head: Linear;

  constructor(options: QNetworkOptions = {}) {
    super();
    this.length = checkSize(options.length ?? 9, 'length', 2);
    const hidden: unknown = options.hidden ?? [16, 8];
    if (!Array.isArray(hidden) || hidden.length !== 2) {
      throw new InvalidValueError({
        what: `hidden must list two layer widths, got ${JSON.stringify(hidden)}`,
        where,
        fix: 'Pass hidden: [16, 8].',
      });
    }
    const [first, second] = hidden as unknown[];
    this.hidden = [checkSize(first, 'hidden[0]', 1), checkSize(second, 'hidden[1]', 1)];
    this.actions = checkSize(options.actions ?? 2, 'actions', 2);
    const seed = options.seed ?? 0;
    if (!Number.isSafeInteger(seed)) {
      throw new InvalidValueError({ what: `seed must be an integer, got ${String(seed)}`, where });
    }
    const inputs = 2 * this.length;
    this.flatten = this.registerModule(
      'flatten',
      new Lambda('flatten', (x: tf.Tensor) => tf.reshape(x, [...x.shape.slice(0, -2), inputs])),
    );
    // Seeds 10 apart: each Linear uses seed and seed + 1 (kernel, bias).
    this.features = this.registerModule(
      'features',
      new Sequential([
        new Linear(inputs, this.hidden[0], { seed: seed * 100 + 11 }),
        new Lambda('relu', tf.relu),
        new Linear(this.hidden[0], this.hidden[1], { seed: seed * 100 + 21 }),
        new Lambda('relu', tf.relu),
      ]),
    );
    this.policy_head = this.registerModule(
      'policy_head',
      new Linear(this.hidden[1], this.actions, { seed: seed * 100 + 31 }),
    );
  }

  /** The action values alone (what fitted Q-iteration trains). */
  actionValues(observation: tf.Tensor): tf.Tensor {
    return this.policy_head.call(this.features.call(this.flatten.call(observation)));
  }

  forward(observation: tf.Tensor): QNetworkOutput {
    const actionValue = this.actionValues(observation);
    return { action_value: actionValue, action: tf.argMax(actionValue, -1) };
  }
}
