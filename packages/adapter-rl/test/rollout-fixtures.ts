// A tiny environment and policy for the rollout tests, independent of CartPole and ActorCritic: a chain of
// cells where pushing right reaches a goal, and a one-layer actor-critic.
import * as tf from '@tensorflow/tfjs-core';
import { KeyedModule, type KeyMapping } from '@tdhook/core';
import { seededRandom } from '@tdhook/core/plugin';

import type {
  BoxSpace,
  DiscreteSpace,
  Environment,
  ResetOptions,
  ResetResult,
  RgbaImage,
  StepResult,
} from '../src/env/environment.js';
import { Linear } from '../src/modules/linear.js';

/**
 * Cells 0 … 5; observation `[cell / 5, 1]`; action 1 moves right, 0 left (not below 0); reward 1 and the end
 * on reaching cell 5, −0.1 otherwise; truncated after `maxEpisodeSteps`. A seeded reset starts in 0 … 3.
 */
export class Chain implements Environment {
  readonly id = 'Chain-6';
  readonly observationSpace: BoxSpace = { kind: 'box', shape: [2], low: 0, high: 1, names: ['cell', 'one'] };
  readonly actionSpace: DiscreteSpace = { kind: 'discrete', n: 2, names: ['left', 'right'] };
  readonly maxEpisodeSteps: number;
  /** Throws from step() at this call (counted over the environment's life), for the error tests. */
  failAtStep: number | undefined;
  #random = seededRandom(0);
  #cell = 0;
  #steps = 0;
  #calls = 0;
  #over = true;

  constructor(maxEpisodeSteps = 8) {
    this.maxEpisodeSteps = maxEpisodeSteps;
  }

  #observe(): Float32Array {
    return Float32Array.from([this.#cell / 5, 1]);
  }

  reset(options: ResetOptions = {}): ResetResult {
    if (options.seed !== undefined) this.#random = seededRandom(options.seed);
    this.#cell = Math.floor(this.#random() * 4);
    this.#steps = 0;
    this.#over = false;
    return { observation: this.#observe(), info: { cell: this.#cell } };
  }

  step(action: number): StepResult {
    this.#calls += 1;
    if (this.failAtStep === this.#calls) throw new Error('the chain broke');
    if (this.#over) throw new Error('call reset');
    this.#cell = Math.max(0, this.#cell + (action === 1 ? 1 : -1));
    this.#steps += 1;
    const terminated = this.#cell === 5;
    const truncated = !terminated && this.#steps >= this.maxEpisodeSteps;
    this.#over = terminated || truncated;
    return {
      observation: this.#observe(),
      reward: terminated ? 1 : -0.1,
      terminated,
      truncated,
      info: { cell: this.#cell },
    };
  }

  render(): RgbaImage {
    return { width: 1, height: 1, data: new Uint8ClampedArray(4) };
  }
}

/** A linear actor-critic over the chain's observation: logits, action = argmax (int32), value. */
export class TinyActorCritic extends KeyedModule {
  readonly inKeys: KeyMapping = ['observation'];
  readonly outKeys: KeyMapping = { logits: 'logits', action: 'action', value: 'value' };
  readonly actor: Linear;
  readonly critic: Linear;

  constructor(seed = 0) {
    super();
    this.actor = this.registerModule('actor', new Linear(2, 2, { seed }));
    this.critic = this.registerModule('critic', new Linear(2, 1, { seed: seed + 10 }));
  }

  forward(observation: tf.Tensor): Record<string, tf.Tensor> {
    const logits = this.actor.call(observation);
    return {
      logits,
      action: tf.cast(tf.argMax(logits, -1), 'int32'),
      value: tf.squeeze(this.critic.call(observation), [-1]),
    };
  }
}

/** A tanh actor-critic (one hidden layer each), so gradients vary with the observation. */
export class TanhActorCritic extends KeyedModule {
  readonly inKeys: KeyMapping = ['observation'];
  readonly outKeys: KeyMapping = { logits: 'logits', action: 'action', value: 'value' };
  readonly actorHidden: Linear;
  readonly actorHead: Linear;
  readonly criticHidden: Linear;
  readonly criticHead: Linear;
  /** Calls of forward so far; forward throws at call `failAtCall`, for the error tests. */
  calls = 0;
  failAtCall: number | undefined;

  constructor(seed = 0) {
    super();
    this.actorHidden = this.registerModule('actorHidden', new Linear(2, 6, { seed }));
    this.actorHead = this.registerModule('actorHead', new Linear(6, 2, { seed: seed + 2 }));
    this.criticHidden = this.registerModule('criticHidden', new Linear(2, 6, { seed: seed + 4 }));
    this.criticHead = this.registerModule('criticHead', new Linear(6, 1, { seed: seed + 6 }));
  }

  forward(observation: tf.Tensor): Record<string, tf.Tensor> {
    this.calls += 1;
    if (this.calls === this.failAtCall) throw new Error('the policy broke');
    const logits = this.actorHead.call(tf.tanh(this.actorHidden.call(observation)));
    return {
      logits,
      action: tf.cast(tf.argMax(logits, -1), 'int32'),
      value: tf.squeeze(this.criticHead.call(tf.tanh(this.criticHidden.call(observation))), [-1]),
    };
  }
}
