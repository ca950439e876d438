import { InvalidValueError, MissingKeyError, type TensorDict } from '@tdhook/core';
import { describeStructure, isTensorDict } from '@tdhook/core/plugin';

/**
 * The return (sum of rewards) and length (steps) of every finished episode of a trajectory.
 *
 * @example
 * const stats: EpisodeStats = { returns: [500, 212], lengths: [500, 212] };
 */
export interface EpisodeStats {
  readonly returns: number[];
  readonly lengths: number[];
}

/**
 * The returns and lengths of the episodes that finished (`done`) in a {@link rollout}'s trajectory, in
 * environment order, then in time order; padding steps (`mask` false) are skipped and an episode still
 * running at the end is left out. Reads `reward`, `done` and `mask` (batch `[T]` or `[N, T]`).
 *
 * @example
 * using trajectory = rollout(envs, policy, { episodes: 10 });
 * const { returns } = episodeStats(trajectory);
 * const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
 */
export function episodeStats(trajectory: TensorDict): EpisodeStats {
  if (!isTensorDict(trajectory)) {
    throw new InvalidValueError({
      what: `episodeStats takes a rollout's TensorDict, got ${describeStructure(trajectory)}`,
      where: 'episodeStats(trajectory)',
      fix: 'Pass what rollout(...) returned.',
    });
  }
  for (const key of ['reward', 'done', 'mask']) {
    if (!trajectory.has(key)) {
      throw new MissingKeyError({
        what: `episodeStats reads "${key}", which the trajectory lacks`,
        where: 'episodeStats(trajectory)',
        fix: 'Pass the TensorDict that rollout(...) returned (with its reward, done and mask keys).',
      });
    }
  }
  const batch = trajectory.batchShape;
  if (batch.length !== 1 && batch.length !== 2) {
    throw new InvalidValueError({
      what: `episodeStats takes a trajectory of batch [T] or [N, T], got [${batch.join(', ')}]`,
      where: 'episodeStats(trajectory)',
      fix: 'Pass what rollout(...) returned.',
    });
  }
  const steps = batch[batch.length - 1] as number;
  const envs = batch.length === 2 ? (batch[0] as number) : 1;
  const reward = trajectory.getTensor('reward').dataSync();
  const done = trajectory.getTensor('done').dataSync();
  const mask = trajectory.getTensor('mask').dataSync();
  const returns: number[] = [];
  const lengths: number[] = [];
  for (let env = 0; env < envs; env++) {
    let total = 0;
    let length = 0;
    for (let t = 0; t < steps; t++) {
      const at = env * steps + t;
      if (mask[at] === 0) continue;
      total += reward[at] as number;
      length += 1;
      if (done[at] !== 0) {
        returns.push(total);
        lengths.push(length);
        total = 0;
        length = 0;
      }
    }
  }
  return { returns, lengths };
}
