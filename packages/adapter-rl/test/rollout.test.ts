// rollout() and episodeStats() on a tiny chain environment and a linear actor-critic: every recorded key is
// checked against the environment replayed by hand with the recorded actions, and against the policy run by
// hand on the recorded observations.
import * as tf from '@tensorflow/tfjs-core';
import { formatKey, TensorDict, type KeyMapping } from '@tdhook/core';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { episodeStats, rollout, type RolloutProgress } from '../src/index.js';
import { Chain, TinyActorCritic } from './rollout-fixtures.js';

const values = (td: TensorDict, key: string | [string, ...string[]]): number[] =>
  Array.from(td.getTensor(key).dataSync());

/** Replays environment `index` with the recorded actions; returns what it reported, per unmasked step. */
function replay(
  trajectory: TensorDict,
  index: number,
  seed: number,
): { observation: number[]; next: number[]; reward: number[]; done: boolean[]; info: number[] } {
  const steps = trajectory.batchShape[trajectory.batchShape.length - 1] as number;
  const actions = values(trajectory, 'action');
  const mask = values(trajectory, 'mask');
  const env = new Chain();
  let current = env.reset({ seed: seed + index });
  const out = {
    observation: [] as number[],
    next: [] as number[],
    reward: [] as number[],
    done: [] as boolean[],
    info: [] as number[],
  };
  for (let t = 0; t < steps; t++) {
    const at = index * steps + t;
    if (mask[at] === 0) continue;
    out.observation.push(...current.observation);
    out.info.push(current.info.cell as number);
    const result = env.step(actions[at] as number);
    out.next.push(...result.observation);
    out.reward.push(result.reward);
    const done = result.terminated || result.truncated;
    out.done.push(done);
    current = done ? env.reset() : result;
  }
  return out;
}

/** The trajectory's values of `key` for environment `index`, unmasked steps only. */
function recorded(trajectory: TensorDict, key: string | [string, ...string[]], index: number): number[] {
  const steps = trajectory.batchShape[trajectory.batchShape.length - 1] as number;
  const all = values(trajectory, key);
  const mask = values(trajectory, 'mask');
  const width = all.length / mask.length;
  const out: number[] = [];
  for (let t = 0; t < steps; t++) {
    const at = index * steps + t;
    if (mask[at] !== 0) out.push(...all.slice(at * width, (at + 1) * width));
  }
  return out;
}

describe('rollout', () => {
  it('one environment, steps: batch [T], the environment replayed exactly, the policy outputs as run by hand', () => {
    const policy = new TinyActorCritic(3);
    using trajectory = rollout(new Chain(), policy, { steps: 20, seed: 5 });
    expect(trajectory.batchShape).toEqual([20]);
    expect(
      trajectory
        .keys()
        .map((key) => formatKey(key))
        .sort(),
    ).toEqual(
      [
        'action',
        'done',
        'episode',
        'info.cell',
        'logits',
        'mask',
        'next.observation',
        'observation',
        'reward',
        'terminated',
        'truncated',
        'value',
      ]
        .map((key) => formatKey(key.split('.') as [string, ...string[]]))
        .sort(),
    );
    expect(trajectory.getTensor('action').dtype).toBe('int32');
    expect(trajectory.getTensor('done').dtype).toBe('bool');
    expect(trajectory.getTensor('episode').dtype).toBe('int32');
    expect(trajectory.getTensor('observation').shape).toEqual([20, 2]);
    const byHand = replay(trajectory, 0, 5);
    expect(values(trajectory, 'observation')).toEqual(byHand.observation.map(Math.fround));
    expect(values(trajectory, ['next', 'observation'])).toEqual(byHand.next.map(Math.fround));
    expect(values(trajectory, 'reward')).toEqual(byHand.reward.map(Math.fround));
    expect(values(trajectory, 'done').map(Boolean)).toEqual(byHand.done);
    expect(values(trajectory, ['info', 'cell'])).toEqual(byHand.info);
    expect(values(trajectory, 'mask')).toEqual(new Array(20).fill(1));
    // Episode numbers count the dones before each step.
    const done = values(trajectory, 'done');
    const episodes = done.map((_, t) => done.slice(0, t).filter(Boolean).length);
    expect(values(trajectory, 'episode')).toEqual(episodes);
    expect(episodes[19]).toBeGreaterThan(0);
    // The policy's outputs are those of the recorded observations; 'policy' takes its argmax action.
    const [logits, value] = tf.tidy(() => {
      const out = policy.call(trajectory.getTensor('observation'));
      return [out.logits as tf.Tensor, out.value as tf.Tensor];
    });
    expect(trajectory.getTensor('logits')).toBeCloseToTensor(logits, { rtol: 1e-6, atol: 1e-6 });
    expect(trajectory.getTensor('value')).toBeCloseToTensor(value, { rtol: 1e-6, atol: 1e-6 });
    const argmax = tf.tidy(() => tf.argMax(logits, -1));
    expect(values(trajectory, 'action')).toEqual(Array.from(argmax.dataSync()));
    tf.dispose([logits, value, argmax]);
    policy.dispose();
  });

  it('several environments, episodes: batch [N, T], padding masked, episodeStats as replayed by hand', () => {
    const policy = new TinyActorCritic(1);
    const envs = [new Chain(), new Chain(), new Chain()];
    const progress: RolloutProgress[] = [];
    using trajectory = rollout(envs, policy, {
      episodes: 2,
      explore: 'sample',
      seed: 11,
      onProgress: (p) => progress.push(p),
    });
    const [n, steps] = trajectory.batchShape as [number, number];
    expect(n).toBe(3);
    expect(progress.length).toBe(steps);
    expect(progress.at(-1)?.finishedEpisodes).toBe(6);
    const stats = episodeStats(trajectory);
    expect(stats.returns.length).toBe(6);
    const mask = values(trajectory, 'mask');
    const returns: number[] = [];
    const lengths: number[] = [];
    for (let index = 0; index < 3; index++) {
      const byHand = replay(trajectory, index, 11);
      expect(recorded(trajectory, 'observation', index)).toEqual(byHand.observation.map(Math.fround));
      expect(recorded(trajectory, ['next', 'observation'], index)).toEqual(byHand.next.map(Math.fround));
      expect(recorded(trajectory, 'reward', index)).toEqual(byHand.reward.map(Math.fround));
      expect(byHand.done.filter(Boolean).length).toBe(2);
      expect(byHand.done.at(-1)).toBe(true);
      let total = 0;
      let length = 0;
      byHand.reward.forEach((reward, t) => {
        total += Math.fround(reward);
        length += 1;
        if (byHand.done[t] === true) {
          returns.push(total);
          lengths.push(length);
          total = 0;
          length = 0;
        }
      });
      // Padding comes only after the environment's last episode, with reward 0 and no flags.
      const row = mask.slice(index * steps, (index + 1) * steps);
      const firstPad = row.indexOf(0);
      if (firstPad >= 0) {
        expect(row.slice(firstPad).every((m) => m === 0)).toBe(true);
        const padReward = values(trajectory, 'reward').slice(index * steps + firstPad, (index + 1) * steps);
        expect(padReward.every((r) => r === 0)).toBe(true);
      }
    }
    expect(mask.includes(0)).toBe(true); // the episodes end at different times with this seed
    expect(stats.lengths).toEqual(lengths);
    stats.returns.forEach((value, index) => {
      expect(value).toBeCloseTo(returns[index] as number, 5);
    });
    policy.dispose();
  });

  it("explore 'sample': seeded, repeats exactly, log_prob = logSoftmax(logits)[action]", () => {
    const policy = new TinyActorCritic(2);
    const run = (seed: number): TensorDict =>
      rollout([new Chain(), new Chain()], policy, { steps: 30, explore: 'sample', seed });
    using a = run(4);
    using b = run(4);
    using c = run(5);
    expect(values(a, 'action')).toEqual(values(b, 'action'));
    expect(values(a, 'observation')).toEqual(values(b, 'observation'));
    expect(values(a, 'action')).not.toEqual(values(c, 'action'));
    const expected = tf.tidy(() => {
      const logProbs = tf.logSoftmax(a.getTensor('logits'));
      const oneHot = tf.oneHot(a.getTensor('action'), 2);
      return tf.sum(tf.mul(logProbs, oneHot), -1);
    });
    expect(a.getTensor('log_prob')).toBeCloseToTensor(expected, { rtol: 1e-5, atol: 1e-6 });
    expected.dispose();
    // Both actions are drawn (the policy's argmax alone would repeat one per observation).
    expect(new Set(values(a, 'action')).size).toBe(2);
    policy.dispose();
  });

  it("explore 'greedy' takes the argmax of logits; a plain model needs only logits", () => {
    const policy = new TinyActorCritic(3);
    using keyed = rollout(new Chain(), policy, { steps: 12, seed: 1 });
    // A plain (unkeyed) module writing logits only: the default keys.
    const actorOnly = policy.actor;
    using greedy = rollout(new Chain(), actorOnly, { steps: 12, seed: 1, explore: 'greedy' });
    expect(values(greedy, 'action')).toEqual(values(keyed, 'action'));
    expect(greedy.getTensor('logits')).toBeCloseToTensor(keyed.getTensor('logits'), {
      rtol: 1e-6,
      atol: 1e-6,
    });
    policy.dispose();
  });

  it('bad options are typed errors before any step, and leave the environment untouched', () => {
    const policy = new TinyActorCritic();
    const env = new Chain();
    expect(() => rollout(env, policy, { steps: 3, episodes: 2 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /both steps and episodes/,
    );
    expect(() => rollout(env, policy, {})).toThrowTdhookError('E_INVALID_VALUE', /steps or episodes/);
    expect(() => rollout(env, policy, { steps: 0 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /positive integer/,
    );
    expect(() => rollout(env, policy, { steps: 2, explore: 'random' as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /explore/,
    );
    expect(() => rollout(env, policy, { steps: 2, max_steps: 3 } as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /max_steps/,
    );
    expect(() => rollout(env, policy, { steps: 2, runWorkflow: 'later' as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /runWorkflow/,
    );
    expect(() => rollout([], policy, { steps: 2 })).toThrowTdhookError('E_INVALID_VALUE', /empty/);
    expect(() => rollout({} as never, policy, { steps: 2 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /not an Environment/,
    );
    expect(() =>
      rollout(env, policy.actor, { steps: 2, keys: { inKeys: ['obs'], outKeys: ['logits'] } }),
    ).toThrowTdhookError('E_INVALID_KEY', /observation/);
    // 'policy' with a model that writes no action.
    expect(() => rollout(env, policy.actor, { steps: 2 })).toThrowTdhookError('E_MISSING_KEY', /greedy/);
    policy.dispose();
  });

  it('an error thrown by the environment mid-rollout leaves no tensor behind and propagates', () => {
    const policy = new TinyActorCritic();
    const env = new Chain();
    env.failAtStep = 4;
    expect(() => rollout(env, policy, { steps: 10 })).toThrow('the chain broke');
    policy.dispose();
  });
  it('a policy output without the batch dims is a typed error that leaves no tensor behind', () => {
    // Writes one [1] tensor whatever the batch: stacked over time it is [1, T], not the batch [2, T].
    class Unbatched extends TinyActorCritic {
      override readonly outKeys: KeyMapping = { logits: 'logits', action: 'action', constant: 'constant' };
      override forward(observation: tf.Tensor): Record<string, tf.Tensor> {
        const { logits, action } = super.forward(observation);
        return { logits: logits as tf.Tensor, action: action as tf.Tensor, constant: tf.ones([1]) };
      }
    }
    const policy = new Unbatched();
    expect(() => rollout([new Chain(), new Chain()], policy, { steps: 3 })).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
    );
    policy.dispose();
  });
});

describe('episodeStats', () => {
  it('skips an unfinished episode and padding; rejects a dict without the keys', () => {
    using trajectory = new TensorDict(
      {
        reward: tf.tensor([
          [1, 2, 3, 4],
          [5, 6, 0, 0],
        ]),
        done: tf.tensor(
          [
            [false, true, false, false],
            [false, true, false, false],
          ],
          undefined,
          'bool',
        ),
        mask: tf.tensor(
          [
            [true, true, true, true],
            [true, true, false, false],
          ],
          undefined,
          'bool',
        ),
      },
      { batchShape: [2, 4] },
    );
    expect(episodeStats(trajectory)).toEqual({ returns: [3, 11], lengths: [2, 2] });
    using bare = new TensorDict({ reward: tf.zeros([3]) }, { batchShape: [3] });
    expect(() => episodeStats(bare)).toThrowTdhookError('E_MISSING_KEY', /done/);
  });
});
