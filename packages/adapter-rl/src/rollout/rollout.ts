import * as tf from '@tensorflow/tfjs-core';
import { formatKey, InvalidKeyError, TensorDict, type ModelNode } from '@tdhook/core';
import { keysEqual, seededRandom } from '@tdhook/core/plugin';

import type { Environment, StepInfo } from '../env/environment.js';
import { chooseActions } from './choose-actions.js';
import { checkRolloutOptions, type RolloutOptions } from './rollout-options.js';
import { stepRunner, type StepRunner } from './step-runner.js';
import { TrajectoryRecorder } from './trajectory-recorder.js';

// Keys the rollout writes from the environments' side; the policy's and workflow's copies of them (the
// observation it read, the action it proposed) are replaced by the recorded ones.
const recordedKeys = ['observation', 'action', 'log_prob'] as const;

interface EnvState {
  observation: Float32Array;
  info: StepInfo;
  episode: number;
  finished: number;
  /** Padding: the environment has finished its episodes and is not stepped any more. */
  idle: boolean;
}

/**
 * Runs a policy in one or several environments and returns the trajectories as a TensorDict: batch `[T]`
 * for one environment, `[N, T]` for a list of N. At every step the observations of all environments run
 * through the policy (or the `workflow` on it) as one batch; the actions go to the environments.
 *
 * Keys: `observation`, `action` (int32), `reward`, `terminated`, `truncated`, `done` (bool),
 * `['next', 'observation']`, `episode` (int32, counted per environment), `mask` (bool: false on padding
 * steps, when environments finish their `episodes` at different times), `['info', name]` (the info of the
 * observation's state), `log_prob` (`explore: 'sample'`), and every key the policy and the workflow wrote
 * (logits, value, attributions, cached activations), stacked over time.
 *
 * Padding steps repeat the environment's last observation through the policy (the batch keeps its size)
 * with reward 0 and every flag false. With `steps`, an environment whose episode ends is reset without a
 * seed (its generator goes on) and keeps going. The policy's hooks and the workflow are installed for the
 * whole rollout and removed after it, also after an error thrown by an environment, the policy or a step.
 *
 * @example
 * using trajectory = rollout(new CartPole(), policy, { episodes: 1, explore: 'sample', seed: 3 });
 * trajectory.batchShape; // [T]
 * const { returns } = episodeStats(trajectory);
 */
export function rollout(
  env: Environment | readonly Environment[],
  policy: ModelNode,
  options: RolloutOptions,
): TensorDict {
  const checked = checkRolloutOptions(env, options);
  const runner = stepRunner(policy, checked.keys, checked.workflow);
  try {
    checkReadsObservation(runner);
    return collect(runner, checked);
  } finally {
    runner.restore();
  }
}

function checkReadsObservation(runner: StepRunner): void {
  const [only, ...rest] = runner.inKeys;
  if (only === undefined || rest.length > 0 || !keysEqual(only, ['observation'])) {
    throw new InvalidKeyError({
      what: `A rollout feeds the policy one key, "observation"; the policy reads ${runner.inKeys.map((key) => formatKey(key)).join(', ')}`,
      where: 'rollout (policy inKeys)',
      fix: "Give the policy inKeys: ['observation'] (keys: { inKeys: ['observation'], outKeys: [...] } for a plain model).",
    });
  }
}

function collect(runner: StepRunner, options: ReturnType<typeof checkRolloutOptions>): TensorDict {
  const { envs, steps, episodes, explore, seed, onProgress } = options;
  const [first] = envs;
  if (first === undefined) throw new Error('unreachable: checked options have an environment');
  const count = envs.length;
  const observationShape = first.observationSpace.shape;
  const observationSize = observationShape.reduce((total, size) => total * size, 1);
  const actionCount = first.actionSpace.n;
  const random = seededRandom(seed);
  const states: EnvState[] = envs.map((e, index) => {
    const { observation, info } = e.reset({ seed: seed + index });
    return { observation, info, episode: 0, finished: 0, idle: false };
  });
  const infoNames = Object.keys(states[0]?.info ?? {});
  const recorder = new TrajectoryRecorder(count, observationShape);
  const outputs: TensorDict[] = [];
  let finishedEpisodes = 0;
  try {
    const running = (): boolean =>
      steps === undefined ? states.some((state) => !state.idle) : recorder.steps < steps;
    while (running()) {
      const observation = new Float32Array(count * observationSize);
      states.forEach((state, index) => {
        observation.set(state.observation, index * observationSize);
      });
      const output = runPolicy(runner, observation, [count, ...observationShape]);
      outputs.push(output);
      const { actions, logProbs } = chooseActions(output, explore, count, actionCount, random);
      const next = new Float32Array(count * observationSize);
      const reward = new Float32Array(count);
      const terminated = new Uint8Array(count);
      const truncated = new Uint8Array(count);
      const episode = new Int32Array(count);
      const mask = new Uint8Array(count);
      const info = new Map(infoNames.map((name) => [name, new Float32Array(count)] as const));
      states.forEach((state, index) => {
        episode[index] = state.episode;
        for (const [name, values] of info) values[index] = state.info[name] ?? Number.NaN;
        if (state.idle) {
          next.set(state.observation, index * observationSize);
          return;
        }
        mask[index] = 1;
        const e = envs[index] as Environment;
        const result = e.step(actions[index] as number);
        next.set(result.observation, index * observationSize);
        reward[index] = result.reward;
        terminated[index] = result.terminated ? 1 : 0;
        truncated[index] = result.truncated ? 1 : 0;
        if (!result.terminated && !result.truncated) {
          state.observation = result.observation;
          state.info = result.info;
          return;
        }
        state.finished += 1;
        finishedEpisodes += 1;
        if (episodes !== undefined && state.finished >= episodes) {
          state.idle = true;
          state.observation = result.observation;
          state.info = result.info;
          return;
        }
        state.episode += 1;
        const restart = e.reset();
        state.observation = restart.observation;
        state.info = restart.info;
      });
      recorder.push({
        observation,
        nextObservation: next,
        action: actions,
        logProb: logProbs,
        reward,
        terminated,
        truncated,
        episode,
        mask,
        info,
      });
      onProgress?.({ step: recorder.steps, finishedEpisodes });
    }
    return assemble(outputs, recorder, options.batched);
  } finally {
    for (const output of outputs) output.dispose();
  }
}

/** One step of the policy (or workflow) on the observations, batch `[envs]`. */
function runPolicy(runner: StepRunner, observation: Float32Array, shape: readonly number[]): TensorDict {
  const input = new TensorDict(
    { observation: tf.tensor(observation, [...shape]) },
    { batchShape: [shape[0] as number] },
  );
  try {
    return runner.run(input);
  } finally {
    input.dispose();
  }
}

/** Stacks the policy's outputs over time (`[envs, T]`) and adds the recorded keys. */
function assemble(
  outputs: readonly TensorDict[],
  recorder: TrajectoryRecorder,
  batched: boolean,
): TensorDict {
  for (const output of outputs) for (const key of recordedKeys) output.delete(key);
  const stacked = TensorDict.stack(outputs, 1);
  try {
    const recorded = recorder.tensors();
    try {
      stacked.update(recorded.map(({ key, value }) => [key, value] as const));
    } catch (error) {
      tf.dispose(recorded.map(({ value }) => value));
      throw error;
    }
    if (batched) return stacked;
    const single = stacked.reshape(stacked.batchShape.slice(1));
    stacked.dispose();
    return single;
  } catch (error) {
    stacked.dispose();
    throw error;
  }
}
