import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, KeyedModule, Lambda, Sequential, type Module } from '@tdhook/core';

import { Linear } from '../modules/linear.js';

/**
 * The hidden-layer activations {@link ActorCritic} offers.
 *
 * @example
 * const activation: ActorCriticActivation = 'relu';
 */
export type ActorCriticActivation = 'tanh' | 'relu';

/**
 * Options of {@link ActorCritic}.
 *
 * @example
 * const options: ActorCriticOptions = { observationSize: 4, actions: 2, hidden: [32, 32], seed: 3 };
 */
export interface ActorCriticOptions {
  /** Length of the (flat) observation vector, e.g. 4 for CartPole. */
  readonly observationSize: number;
  /** Number of discrete actions, e.g. 2 for CartPole. */
  readonly actions: number;
  /** Widths of the hidden layers, the same for the actor and the critic. Default `[64, 64]`. */
  readonly hidden?: readonly number[];
  /** The activation after each hidden layer. Default `'tanh'` (what PPO implementations use). */
  readonly activation?: ActorCriticActivation;
  /** Seeds the initial parameters (PyTorch's uniform ±1/√inputs per layer). Default 0. */
  readonly seed?: number;
}

/**
 * What {@link ActorCritic.forward} returns: `logits` `[B, actions]`, the greedy `action` (argmax, int32)
 * `[B]` and the critic's `value` `[B]`.
 *
 * @example
 * const { logits, action, value }: ActorCriticOutput = policy.call(observation);
 */
// A type (not an interface) so that it is a TensorContainer: `tf.tidy(() => policy.call(x))` keeps its type.
export type ActorCriticOutput = {
  readonly logits: tf.Tensor;
  readonly action: tf.Tensor;
  readonly value: tf.Tensor;
};

const activations: Readonly<Record<ActorCriticActivation, (x: tf.Tensor) => tf.Tensor>> = {
  tanh: (x) => tf.tanh(x),
  relu: (x) => tf.relu(x),
};

function checkSize(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidValueError({
      what: `${option} must be a positive integer, got ${String(value)}`,
      where: `new ActorCritic({ ${option} })`,
      fix: 'Pass the number of units (e.g. observationSize 4 and actions 2 for CartPole).',
    });
  }
  return value;
}

/** Linear, activation, …, Linear: paths `0`, `1`, … as PyTorch's `nn.Sequential` numbers them. */
function mlp(sizes: readonly number[], activation: ActorCriticActivation, seed: number): Sequential {
  const layers: Module[] = [];
  sizes.slice(1).forEach((outputs, index) => {
    if (index > 0) layers.push(new Lambda(activation, activations[activation]));
    // Two seeds a layer (kernel, bias: see Linear); never 0, which some TF.js random ops read as "unseeded".
    layers.push(new Linear(sizes[index] ?? 0, outputs, { seed: seed + 2 * index + 1 }));
  });
  return new Sequential(layers);
}

/**
 * An actor-critic policy for discrete actions that owns its TensorDict keys: it reads `observation` and
 * writes `logits`, the greedy `action` and the `value`, so every method, workflow and rollout uses it without
 * being told its keys. Two separate MLPs (as in most PPO implementations): `actor` (observation → logits) and
 * `critic` (observation → value), each a core `Sequential` of {@link Linear} layers and `Lambda` activations,
 * with paths `actor.0` (first Linear), `actor.1` (its activation), … `critic.0` … . The Linear layers are
 * LRP-ready and the activations are recognised by LRP by their label.
 *
 * @example
 * const policy = new ActorCritic({ observationSize: 4, actions: 2, hidden: [32, 32], seed: 1 });
 * using prepared = saliency({ targets: { action: { output: 'logits', select: 'argmax' }, value: { output: 'value' } } })
 *   .prepare(policy); // no keys: the policy names its own
 */
export class ActorCritic extends KeyedModule<[tf.Tensor], ActorCriticOutput> {
  readonly inKeys: readonly string[] = ['observation'];
  readonly outKeys: Readonly<Record<'logits' | 'action' | 'value', string>> = {
    logits: 'logits',
    action: 'action',
    value: 'value',
  };
  readonly observationSize: number;
  readonly actions: number;
  readonly hidden: readonly number[];
  readonly activation: ActorCriticActivation;
  readonly actor: Sequential;
  readonly critic: Sequential;

  constructor(options: ActorCriticOptions) {
    super();
    this.observationSize = checkSize(options.observationSize, 'observationSize');
    this.actions = checkSize(options.actions, 'actions');
    const hidden = options.hidden ?? [64, 64];
    if (!Array.isArray(hidden)) {
      throw new InvalidValueError({
        what: 'hidden must be an array of layer widths',
        where: 'new ActorCritic({ hidden })',
        fix: 'Pass e.g. hidden: [64, 64].',
      });
    }
    this.hidden = hidden.map((width, index) => checkSize(width, `hidden[${index}]`));
    const activation = options.activation ?? 'tanh';
    if (!Object.hasOwn(activations, activation)) {
      throw new InvalidValueError({
        what: `Unknown activation '${activation as string}'`,
        where: 'new ActorCritic({ activation })',
        fix: "Use 'tanh' or 'relu'.",
      });
    }
    this.activation = activation;
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed)) {
      throw new InvalidValueError({
        what: `seed must be an integer, got ${String(seed)}`,
        where: 'new ActorCritic({ seed })',
        fix: 'Pass an integer seed.',
      });
    }
    const layers = this.hidden.length + 1;
    this.actor = this.registerModule(
      'actor',
      mlp([this.observationSize, ...this.hidden, this.actions], activation, seed * 1000),
    );
    this.critic = this.registerModule(
      'critic',
      mlp([this.observationSize, ...this.hidden, 1], activation, seed * 1000 + 2 * layers),
    );
  }

  forward(observation: tf.Tensor): ActorCriticOutput {
    const logits = this.actor.call(observation);
    const value = tf.squeeze(this.critic.call(observation), [-1]);
    return { logits, action: tf.argMax(logits, -1), value };
  }
}
