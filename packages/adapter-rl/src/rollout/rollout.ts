import * as tf from '@tensorflow/tfjs-core';
import {
  formatKey,
  InvalidKeyError,
  ShapeMismatchError,
  TensorDict,
  type Key,
  type KeyPath,
  type ModelKeys,
  type ModelNode,
  type Workflow,
} from '@tdhook/core';
import { keysEqual, seededRandom } from '@tdhook/core/plugin';

import type { Environment, StepInfo } from '../env/environment.js';
import { chooseActions } from './choose-actions.js';
import { checkRolloutOptions, type RolloutOptions } from './rollout-options.js';
import { stepRunner, type StepOutput, type StepRunner } from './step-runner.js';
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
  const afterwards = checked.runWorkflow === 'once-after' ? checked.workflow : undefined;
  const runner = stepRunner(policy, checked.keys, afterwards === undefined ? checked.workflow : undefined);
  let trajectory: TensorDict;
  try {
    checkReadsObservation(runner);
    trajectory = collect(runner, checked);
  } finally {
    runner.restore();
  }
  if (afterwards === undefined) return trajectory;
  try {
    runOnTrajectory(afterwards, policy, checked.keys, trajectory);
  } catch (error) {
    trajectory.dispose();
    throw error;
  }
  return trajectory;
}

/** `runWorkflow: 'once-after'`: the workflow on every observation of the trajectory at once, merged in. */
function runOnTrajectory(
  workflow: Workflow,
  policy: ModelNode,
  keys: ModelKeys,
  trajectory: TensorDict,
): void {
  const prepared = workflow.prepare(policy, keys);
  try {
    const observations = trajectory.select('observation');
    let result: TensorDict;
    try {
      result = prepared.run(observations).data;
    } finally {
      observations.dispose();
    }
    try {
      // The recorded observation and action stay: with explore 'sample' the policy's action is not the one taken.
      for (const key of recordedKeys) result.delete(key);
      trajectory.update(result);
    } finally {
      result.dispose();
    }
  } finally {
    prepared.restore();
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
  const outputs: StepOutput[] = [];
  let finishedEpisodes = 0;
  try {
    const running = (): boolean =>
      steps === undefined ? states.some((state) => !state.idle) : recorder.steps < steps;
    while (running()) {
      const observation = new Float32Array(count * observationSize);
      states.forEach((state, index) => {
        observation.set(state.observation, index * observationSize);
      });
      const output = runner.run(tf.tensor(observation, [count, ...observationShape]));
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
    return assemble(outputs, recorder, count, options.batched);
  } finally {
    for (const output of outputs) output.dispose();
  }
}

/** Key paths as the steps wrote them (normalised already) are equal: compared in place. */
function samePath(a: KeyPath, b: KeyPath): boolean {
  return a.length === b.length && a.every((segment, index) => segment === b[index]);
}

/** Stacks what the policy (and workflow) wrote over time and adds the recorded keys: one TensorDict. */
function assemble(
  outputs: readonly StepOutput[],
  recorder: TrajectoryRecorder,
  envs: number,
  batched: boolean,
): TensorDict {
  const keys = (outputs[0]?.entries ?? [])
    .map(([key], position) => ({ key, position }))
    .filter(({ key }) => !recordedKeys.some((recorded) => keysEqual(key, [recorded])));
  const tensors: (readonly [Key, tf.Tensor])[] = [];
  try {
    for (const { key, position } of keys) {
      const perStep = outputs.map((output, step) => {
        // Steps write their keys in the same order: look there first (steps × keys lookups otherwise).
        const atPosition = output.entries[position];
        const found =
          atPosition !== undefined && samePath(atPosition[0], key)
            ? atPosition
            : output.entries.find(([path]) => samePath(path, key));
        if (found === undefined) {
          throw new ShapeMismatchError({
            what: `Step ${step} did not write ${formatKey(key)}, which step 0 wrote`,
            where: 'rollout (policy and workflow outputs)',
            fix: 'Write the same keys at every step.',
          });
        }
        if (found[1].shape[0] !== envs) {
          throw new ShapeMismatchError({
            what: `The policy wrote ${formatKey(key)} with shape [${found[1].shape.join(', ')}] for ${envs} observation(s); its first dim must be the batch`,
            where: 'rollout (policy and workflow outputs)',
            fix: 'Write one row per observation (no single row broadcast over the batch).',
          });
        }
        return found[1];
      });
      tensors.push([key, tf.stack(perStep, 1)]);
    }
    for (const { key, value } of recorder.tensors()) tensors.push([key, value]);
    const batchShape = [envs, recorder.steps];
    if (batched) return new TensorDict(tensors, { batchShape });
    // One environment: drop the environment axis (a reshape shares the data).
    const single = tensors.map(([key, tensor]) => [key, tf.reshape(tensor, tensor.shape.slice(1))] as const);
    tf.dispose(tensors.map(([, tensor]) => tensor));
    tensors.splice(0, tensors.length, ...single);
    return new TensorDict(tensors, { batchShape: batchShape.slice(1) });
  } catch (error) {
    tf.dispose(tensors.map(([, tensor]) => tensor));
    throw error;
  }
}
