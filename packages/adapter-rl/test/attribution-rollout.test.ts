// Attribution over a rollout: saliency and integrated gradients of the chosen action's logit and of the value,
// both targets in one call each, run by a workflow at every step; checked against the gradients of the same
// tanh actor-critic written by hand with tf.grads on the recorded observations.
import * as tf from '@tensorflow/tfjs-core';
import { Workflow, type TensorDict } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';
import { integratedGradients, saliency } from '@tdhook/attribution';
import { activationCaching } from '@tdhook/probing';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { attributionOverTime, rollout } from '../src/index.js';
import { Chain, TanhActorCritic } from './rollout-fixtures.js';

/** A chain that records, at every step, the forward hooks installed on one module of the policy. */
class HookWatchingChain extends Chain {
  readonly seen: number[] = [];
  readonly #module: Parameters<typeof hookCounts>[0];

  constructor(module: Parameters<typeof hookCounts>[0]) {
    super();
    this.#module = module;
  }

  override step(action: number): ReturnType<Chain['step']> {
    this.seen.push(hookCounts(this.#module).forward);
    return super.step(action);
  }
}

function expectNoHooks(policy: TanhActorCritic): void {
  for (const module of [policy, policy.actorHidden, policy.actorHead, policy.criticHidden, policy.criticHead])
    expect(Object.values(hookCounts(module)).every((count) => count === 0)).toBe(true);
}

// float32 forward and backward passes, summed in a different order than the engine's.
const tolerance = { rtol: 1e-4, atol: 1e-6 };
const targets = {
  action: { output: 'logits', select: 'argmax' },
  value: { output: 'value' },
} as const;
const igSteps = 8;

/** The policy written by hand from its variables: logits and value of `x` ([rows, 2]). */
function byHand(policy: TanhActorCritic, x: tf.Tensor): { logits: tf.Tensor; value: tf.Tensor } {
  const dense = (input: tf.Tensor, layer: TanhActorCritic['actorHead']): tf.Tensor =>
    tf.add(tf.matMul(input as tf.Tensor2D, layer.kernel as tf.Tensor2D), layer.bias as tf.Tensor);
  return {
    logits: dense(tf.tanh(dense(x, policy.actorHidden)), policy.actorHead),
    value: tf.squeeze(dense(tf.tanh(dense(x, policy.criticHidden)), policy.criticHead), [-1]),
  };
}

/** ∂(chosen logit)/∂x and ∂value/∂x per row, by tf.grads. */
function gradients(policy: TanhActorCritic, x: tf.Tensor, chosen: tf.Tensor): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(chosen, 2);
    const [action] = tf.grads((input: tf.Tensor) => tf.sum(tf.mul(byHand(policy, input).logits, oneHot)))([
      x,
    ]);
    const [value] = tf.grads((input: tf.Tensor) => tf.sum(byHand(policy, input).value))([x]);
    return [action as tf.Tensor, value as tf.Tensor];
  });
}

/** Integrated gradients from a zero baseline with the midpoint rule on `igSteps` points, by hand. */
function integrated(policy: TanhActorCritic, x: tf.Tensor, chosen: tf.Tensor): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    let action = tf.zerosLike(x);
    let value = tf.zerosLike(x);
    for (let i = 0; i < igSteps; i++) {
      const alpha = (i + 0.5) / igSteps;
      const weight = 1 / igSteps;
      const [ga, gv] = gradients(policy, tf.mul(x, alpha), chosen);
      action = tf.add(action, tf.mul(ga, weight));
      value = tf.add(value, tf.mul(gv, weight));
    }
    return [tf.mul(x, action), tf.mul(x, value)];
  });
}

function attributionWorkflow(): Workflow {
  return new Workflow([
    saliency({ targets }),
    integratedGradients({
      targets,
      baselines: 0,
      steps: igSteps,
      method: 'riemann_middle',
      attributionKey: 'ig',
    }),
  ]);
}

function expectMatchesHand(policy: TanhActorCritic, trajectory: TensorDict): void {
  const observation = trajectory.getTensor('observation');
  const rows = tf.reshape(observation, [-1, 2]);
  const actions = tf.reshape(trajectory.getTensor('action'), [-1]);
  // The chosen action ('policy' explore) is the argmax the action target explains.
  const argmax = tf.tidy(() => tf.argMax(byHand(policy, rows).logits, -1));
  expect(Array.from(argmax.dataSync())).toEqual(Array.from(actions.dataSync()));
  const [saliencyAction, saliencyValue] = gradients(policy, rows, actions);
  const [igAction, igValue] = integrated(policy, rows, actions);
  const shape = observation.shape;
  const read = (key: [string, ...string[]]): tf.Tensor => tf.reshape(trajectory.getTensor(key), [-1, 2]);
  const got = [
    read(['attr', 'action', 'observation']),
    read(['attr', 'value', 'observation']),
    read(['ig', 'action', 'observation']),
    read(['ig', 'value', 'observation']),
  ];
  expect(trajectory.getTensor(['attr', 'action', 'observation']).shape).toEqual(shape);
  expect(got[0]).toBeCloseToTensor(saliencyAction, tolerance);
  expect(got[1]).toBeCloseToTensor(saliencyValue, tolerance);
  expect(got[2]).toBeCloseToTensor(igAction, tolerance);
  expect(got[3]).toBeCloseToTensor(igValue, tolerance);
  // Completeness of IG: the attributions sum to f(x) − f(0) (the midpoint rule's error on 8 points is ~1e-3).
  const completeness = tf.tidy(() => {
    const zero = byHand(policy, tf.zerosLike(rows));
    const at = byHand(policy, rows);
    const oneHot = tf.oneHot(actions, 2);
    return tf.sub(
      tf.sum(tf.mul(tf.sub(at.logits, zero.logits), oneHot), -1),
      tf.sum(got[2] as tf.Tensor, -1),
    );
  });
  expect(Math.max(...Array.from(completeness.dataSync()).map(Math.abs))).toBeLessThan(5e-3);
  tf.dispose([rows, actions, argmax, saliencyAction, saliencyValue, igAction, igValue, completeness, ...got]);
}

describe('attribution over a rollout', () => {
  it('saliency and IG of the chosen logit and the value, one call each, match tf.grads by hand ([T])', () => {
    const policy = new TanhActorCritic(3);
    using trajectory = rollout(new Chain(), policy, {
      episodes: 2,
      seed: 2,
      workflow: attributionWorkflow(),
    });
    expect(trajectory.batchShape.length).toBe(1);
    expectMatchesHand(policy, trajectory);
    // Per observation variable over time.
    const series = attributionOverTime(trajectory, { target: 'value', names: ['cell', 'one'] });
    expect(series.map(({ name }) => name)).toEqual(['cell', 'one']);
    const attr = Array.from(trajectory.getTensor(['attr', 'value', 'observation']).dataSync());
    expect(series[0]?.values).toEqual(attr.filter((_, index) => index % 2 === 0));
    expect(series[1]?.values).toEqual(attr.filter((_, index) => index % 2 === 1));
    const ig = attributionOverTime(trajectory, { target: 'action', attributionKey: 'ig' });
    expect(ig.map(({ name }) => name)).toEqual(['x0', 'x1']);
    expect(() => attributionOverTime(trajectory, { target: 'critic' })).toThrowTdhookError('E_MISSING_KEY');
    expect(() =>
      attributionOverTime(trajectory, { target: 'value', inputKey: 'observation' } as never),
    ).toThrowTdhookError('E_INVALID_VALUE', /has no option "inputKey"/);
    expect(() => attributionOverTime(trajectory, { names: ['a'], target: 'value' })).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
    );
    policy.dispose();
  });

  it('several environments ([N, T]) give the same numbers', () => {
    const policy = new TanhActorCritic(5);
    using trajectory = rollout([new Chain(), new Chain()], policy, {
      steps: 9,
      seed: 4,
      workflow: attributionWorkflow(),
    });
    expect(trajectory.batchShape).toEqual([2, 9]);
    expectMatchesHand(policy, trajectory);
    const second = attributionOverTime(trajectory, { target: 'action', env: 1 });
    const attr = Array.from(trajectory.getTensor(['attr', 'action', 'observation']).dataSync()).slice(18);
    expect(second[0]?.values).toEqual(attr.filter((_, index) => index % 2 === 0));
    policy.dispose();
  });

  it("runWorkflow 'once-after': the same numbers as at every step, from one batch after the episodes", () => {
    const policy = new TanhActorCritic(7);
    const envs = [new Chain(), new Chain()];
    using everyStep = rollout(envs, policy, { episodes: 2, seed: 6, workflow: attributionWorkflow() });
    const watching = [new HookWatchingChain(policy.actorHidden), new HookWatchingChain(policy.actorHidden)];
    const workflow = new Workflow([
      activationCaching({ select: ['actorHidden'] }),
      ...attributionWorkflow().steps,
    ]);
    using after = rollout(watching, policy, { episodes: 2, seed: 6, workflow, runWorkflow: 'once-after' });
    expect(watching[0]?.seen.every((count) => count === 0)).toBe(true); // nothing installed while stepping
    expect(after.batchShape).toEqual(everyStep.batchShape);
    for (const key of everyStep.keys())
      expect(after.getTensor(key)).toBeCloseToTensor(everyStep.getTensor(key), { rtol: 1e-5, atol: 1e-7 });
    expect(after.getTensor(['cache', 'actorHidden']).shape).toEqual([...after.batchShape, 6]);
    expectMatchesHand(policy, after);
    expectNoHooks(policy);
    // Sampled actions stay those taken (the workflow's pass writes the policy's argmax action too).
    using sampled = rollout([new Chain(), new Chain()], policy, { steps: 20, seed: 1, explore: 'sample' });
    using sampledAfter = rollout([new Chain(), new Chain()], policy, {
      steps: 20,
      seed: 1,
      explore: 'sample',
      workflow: attributionWorkflow(),
      runWorkflow: 'once-after',
    });
    expect(Array.from(sampledAfter.getTensor('action').dataSync())).toEqual(
      Array.from(sampled.getTensor('action').dataSync()),
    );
    const argmax = tf.tidy(() => tf.argMax(sampled.getTensor('logits'), -1));
    expect(Array.from(argmax.dataSync())).not.toEqual(Array.from(sampled.getTensor('action').dataSync()));
    argmax.dispose();
    expect(sampledAfter.getTensor('log_prob')).toBeCloseToTensor(sampled.getTensor('log_prob'), {
      rtol: 0,
      atol: 0,
    });
    policy.dispose();
  });

  it('a caching + attribution workflow: installed once for the whole rollout, cached activations stacked, hooks gone after', () => {
    const policy = new TanhActorCritic(1);
    const workflow = new Workflow([
      activationCaching({ select: ['actorHidden', 'criticHidden'] }),
      saliency({ targets }),
    ]);
    const env = new HookWatchingChain(policy.actorHidden);
    using trajectory = rollout(env, policy, { steps: 12, seed: 3, workflow });
    // The caching hook stays on the module between steps (installed once, gated off outside its execution).
    expect(env.seen).toEqual(new Array(12).fill(1));
    const hidden = tf.tidy(() =>
      tf.add(
        tf.matMul(trajectory.getTensor('observation') as tf.Tensor2D, policy.actorHidden.kernel),
        policy.actorHidden.bias as tf.Tensor,
      ),
    );
    expect(trajectory.getTensor(['cache', 'actorHidden'])).toBeCloseToTensor(hidden, tolerance);
    hidden.dispose();
    expectNoHooks(policy);
    policy.dispose();
  });

  it('an error from the environment, the policy or a workflow step removes every hook and leaves no tensor behind', () => {
    const policy = new TanhActorCritic(1);
    const workflow = (): Workflow =>
      new Workflow([activationCaching({ select: ['actorHidden'] }), saliency({ targets })]);
    const env = new HookWatchingChain(policy.actorHidden);
    env.failAtStep = 5;
    const outputs = tf.tidy(() => policy.call(tf.tensor2d([[0.2, 1]])).logits as tf.Tensor);
    expect(() => rollout(env, policy, { steps: 10, workflow: workflow() })).toThrow('the chain broke');
    expect(env.seen).toEqual([1, 1, 1, 1, 1]); // the fifth call throws
    expectNoHooks(policy);
    // The policy throws at its third call (the first steps ran through the installed workflow).
    policy.failAtCall = policy.calls + 3;
    expect(() => rollout(new Chain(), policy, { steps: 10, workflow: workflow() })).toThrow(
      'the policy broke',
    );
    expectNoHooks(policy);
    policy.failAtCall = undefined;
    // A target the policy does not have fails inside the first step.
    const broken = new Workflow([
      activationCaching({ select: ['actorHidden'] }),
      saliency({ target: { output: 'q_values' } }),
    ]);
    expect(() => rollout(new Chain(), policy, { steps: 4, workflow: broken })).toThrow();
    expectNoHooks(policy);
    // The model computes as before.
    const after = tf.tidy(() => policy.call(tf.tensor2d([[0.2, 1]])).logits as tf.Tensor);
    expect(after).toBeCloseToTensor(outputs, { rtol: 0, atol: 0 });
    tf.dispose([outputs, after]);
    policy.dispose();
  });
});
