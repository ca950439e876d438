import { formatKey, InvalidValueError, MissingKeyError, ShapeMismatchError } from '@tdhook/core';

import type { StepOutput } from './step-runner.js';

import type { RolloutExplore } from './rollout-options.js';

/**
 * The actions of one step, one per environment, and (for `'sample'`) their log-probabilities under
 * `softmax(logits)`.
 */
export interface ChosenActions {
  readonly actions: Int32Array;
  readonly logProbs: Float32Array | undefined;
}

function readKey(step: StepOutput, key: string, explore: RolloutExplore): Float32Array | Int32Array {
  // Compared in place (no key normalisation): this runs at every step.
  const found = step.entries.find(([path]) => path.length === 1 && path[0] === key);
  if (found === undefined) {
    throw new MissingKeyError({
      what: `explore '${explore}' reads ${formatKey([key])}, which the policy (and workflow) did not write; they wrote ${step.entries
        .map(([path]) => formatKey(path))
        .join(', ')}`,
      where: 'rollout options.explore',
      fix:
        key === 'action'
          ? "Write an int32 `action` from the policy, or use explore: 'greedy' or 'sample' (read from logits)."
          : "Write `logits` from the policy (outKeys), or use explore: 'policy' with a policy that writes `action`.",
    });
  }
  return found[1].dataSync() as Float32Array | Int32Array;
}

/**
 * Picks the actions of one step from what the policy wrote (`action` or `logits`, batch `[envs]`); sampling
 * draws one uniform number per environment from `random`, in environment order.
 *
 * @example
 * const { actions, logProbs } = chooseActions(step, 'sample', 2, 2, seededRandom(0));
 */
export function chooseActions(
  step: StepOutput,
  explore: RolloutExplore,
  envs: number,
  actionCount: number,
  random: () => number,
): ChosenActions {
  if (explore === 'policy') {
    const values = readKey(step, 'action', explore);
    if (values.length !== envs) {
      throw new ShapeMismatchError({
        what: `The policy's action has ${values.length} values for ${envs} environment(s)`,
        where: 'rollout (action)',
        fix: 'Write one action per observation: shape [batch].',
      });
    }
    const actions = Int32Array.from(values);
    actions.forEach((action, index) => {
      if (!Number.isInteger(action) || action < 0 || action >= actionCount) {
        throw new InvalidValueError({
          what: `The policy chose action ${action} for environment ${index}, outside 0 … ${actionCount - 1}`,
          where: 'rollout (action)',
          fix: 'Write action indices of the environment’s action space.',
        });
      }
    });
    return { actions, logProbs: undefined };
  }
  const logits = readKey(step, 'logits', explore);
  if (logits.length !== envs * actionCount) {
    throw new ShapeMismatchError({
      what: `logits have ${logits.length} values, expected ${envs} environment(s) × ${actionCount} actions`,
      where: 'rollout (logits)',
      fix: 'Write logits of shape [batch, actions].',
    });
  }
  const actions = new Int32Array(envs);
  const logProbs = explore === 'sample' ? new Float32Array(envs) : undefined;
  for (let env = 0; env < envs; env++) {
    const row = logits.subarray(env * actionCount, (env + 1) * actionCount);
    let best = 0;
    for (let action = 1; action < actionCount; action++)
      if ((row[action] as number) > (row[best] as number)) best = action;
    if (logProbs === undefined) {
      actions[env] = best;
      continue;
    }
    // Categorical sampling in float64 with the max subtracted, so large logits cannot overflow.
    const max = row[best] as number;
    let total = 0;
    for (const value of row) total += Math.exp(value - max);
    const u = random() * total;
    let chosen = actionCount - 1;
    let cumulative = 0;
    for (let action = 0; action < actionCount; action++) {
      cumulative += Math.exp((row[action] as number) - max);
      if (u < cumulative) {
        chosen = action;
        break;
      }
    }
    actions[env] = chosen;
    logProbs[env] = (row[chosen] as number) - max - Math.log(total);
  }
  return { actions, logProbs };
}
