// The hand-written baseline of the rl-rollout scenarios: the CartPole actor-critic's forward pass written from
// its variables, a loop over environment steps, tf.grad once per target, and everything stacked at the end.
// The same maths as @tdhook/adapter-rl's rollout with a caching + saliency workflow, without tdhook.
import * as tf from '@tensorflow/tfjs-core';

/** What the baseline needs of an environment (CartPole's reset and step). */
export interface PlainEnvironment {
  reset(options?: { readonly seed?: number }): { readonly observation: Float32Array };
  step(action: number): {
    readonly observation: Float32Array;
    readonly reward: number;
    readonly terminated: boolean;
    readonly truncated: boolean;
  };
}

/** A tanh MLP as `[kernel, bias]` pairs, first layer first. */
export type PlainMlp = readonly (readonly [tf.Tensor2D, tf.Tensor1D])[];

/** Runs a tanh MLP; `hidden` receives every activation's output when given. */
function mlp(layers: PlainMlp, x: tf.Tensor, hidden?: tf.Tensor[]): tf.Tensor {
  let h = x;
  layers.forEach(([kernel, bias], index) => {
    h = tf.add(tf.matMul(h as tf.Tensor2D, kernel), bias);
    if (index < layers.length - 1) {
      h = tf.tanh(h);
      hidden?.push(h);
    }
  });
  return h;
}

/** Options of {@link plainRollout}. */
export interface PlainRolloutOptions {
  readonly envs: readonly PlainEnvironment[];
  readonly actor: PlainMlp;
  readonly critic: PlainMlp;
  readonly steps: number;
  readonly seed: number;
  /** Cache the hidden activations and compute the saliency of the chosen logit and of the value. */
  readonly interpret: boolean;
}

/**
 * `steps` steps of every environment with the greedy action (argmax of the logits): per step the
 * observations as one batch, the forward pass (hidden activations kept), and with `interpret` the gradient
 * of the chosen logit and of the value w.r.t. the observation (one tf.grad each); afterwards every per-step
 * tensor stacked to `[steps, envs, ...]` and the environment's side built from plain arrays. Returns the
 * tensors (the caller disposes them).
 *
 * @example
 * const tensors = plainRollout({ envs, actor, critic, steps: 200, seed: 0, interpret: true });
 * tf.dispose(tensors);
 */
export function plainRollout(options: PlainRolloutOptions): tf.Tensor[] {
  const { envs, actor, critic, steps, seed, interpret } = options;
  const n = envs.length;
  const observations = envs.map((env, index) => env.reset({ seed: seed + index }).observation);
  const size = observations[0]?.length ?? 0;
  const perStep: tf.Tensor[][] = [];
  const observed = new Float32Array(steps * n * size);
  const actions = new Int32Array(steps * n);
  const rewards = new Float32Array(steps * n);
  const dones = new Uint8Array(steps * n);
  for (let t = 0; t < steps; t++) {
    observations.forEach((observation, index) => {
      observed.set(observation, (t * n + index) * size);
    });
    const x = tf.tensor2d(observed.subarray(t * n * size, (t + 1) * n * size), [n, size]);
    const outputs = tf.tidy(() => {
      const hidden: tf.Tensor[] = [];
      const logits = mlp(actor, x, interpret ? hidden : undefined);
      const value = tf.squeeze(mlp(critic, x, interpret ? hidden : undefined), [-1]);
      return [logits, value, ...hidden];
    });
    const logits = (outputs[0] as tf.Tensor).dataSync();
    const chosen = new Int32Array(n);
    for (let env = 0; env < n; env++)
      chosen[env] = (logits[2 * env] as number) >= (logits[2 * env + 1] as number) ? 0 : 1;
    if (interpret) {
      const gradients = tf.tidy(() => {
        const oneHot = tf.oneHot(tf.tensor1d(chosen, 'int32'), 2);
        const action = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(mlp(actor, input), oneHot)))(x);
        const value = tf.grad((input: tf.Tensor) => tf.sum(mlp(critic, input)))(x);
        return [action, value];
      });
      outputs.push(...gradients);
    }
    x.dispose();
    perStep.push(outputs);
    envs.forEach((env, index) => {
      const result = env.step(chosen[index] as number);
      actions[t * n + index] = chosen[index] as number;
      rewards[t * n + index] = result.reward;
      const done = result.terminated || result.truncated;
      dones[t * n + index] = done ? 1 : 0;
      observations[index] = done ? env.reset().observation : result.observation;
    });
  }
  const stacked = (perStep[0] ?? []).map((_, index) =>
    tf.stack(perStep.map((outputs) => outputs[index] as tf.Tensor)),
  );
  for (const outputs of perStep) tf.dispose(outputs);
  return [
    ...stacked,
    tf.tensor(observed, [steps, n, size]),
    tf.tensor(actions, [steps, n], 'int32'),
    tf.tensor(rewards, [steps, n]),
    tf.tensor(dones, [steps, n], 'bool'),
  ];
}
