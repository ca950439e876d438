import * as tf from '@tensorflow/tfjs-core';
import {
  InvalidValueError,
  resolveModule,
  ShapeMismatchError,
  TensorDict,
  toKeyPath,
  type HookSpec,
  type Key,
  type KeyPath,
  type MethodFactory,
} from '@tdhook/core';
import { checkOptionNames, defineMethod, joinKeys, type WithDefaults } from '@tdhook/core/plugin';

import { rollOutCorridor, type CorridorRollouts } from '../corridor/closed-loop.js';
import { readTensor, uniformRow } from './read-tensor.js';

/**
 * Options of {@link policyRollouts}.
 *
 * @example
 * const options: PolicyRolloutsOptions = { module: 'features.2', steeringKey: ['steering', 'vector'] };
 */
export interface PolicyRolloutsOptions {
  /** The module whose output the steering vector is added to (e.g. `'features.2'` of a QNetwork). */
  readonly module: string;
  /** Where the steering vector is, `[...batch, C]` with the same row everywhere. Default `['steering', 'vector']`. */
  readonly steeringKey?: Key;
  /** Where the results go: `[outKey, 'baseline' | 'steered', name]`. Default `'rollouts'`. */
  readonly outKey?: Key;
  /** Where each rollout's start cell is (int32, shaped like the batch). Default `'agent'`. */
  readonly agentKey?: Key;
  /** Where each rollout's goal cell is (int32, shaped like the batch). Default `'goal'`. */
  readonly goalKey?: Key;
  /** The model output holding the greedy action (int32). Default `'action'`. */
  readonly actionKey?: Key;
  /** Cells of the corridor. Default 9. */
  readonly length?: number;
  /** Steps after which an episode is cut off (the corridor's time limit). Default 12. */
  readonly maxSteps?: number;
}

/**
 * The options of {@link policyRollouts} once checked: keys as paths and every default filled in.
 *
 * @example
 * policyRollouts({ module: 'features.2' }).options.maxSteps; // 12
 */
export type ConfiguredPolicyRollouts = WithDefaults<
  Omit<PolicyRolloutsOptions, 'steeringKey' | 'outKey' | 'agentKey' | 'goalKey' | 'actionKey'>,
  'length' | 'maxSteps'
> & {
  readonly steeringKey: KeyPath;
  readonly outKey: KeyPath;
  readonly agentKey: KeyPath;
  readonly goalKey: KeyPath;
  readonly actionKey: KeyPath;
};

const id = 'adapter-rl/policy-rollouts';

/**
 * The two conditions every run of {@link policyRollouts} rolls out, in this order.
 *
 * @example
 * rolloutConditions.map((condition) => result.getTensor(['rollouts', condition, 'success_rate']));
 */
export const rolloutConditions = ['baseline', 'steered'] as const;

/**
 * What {@link policyRollouts} writes for each condition under `[outKey, condition]`.
 *
 * @example
 * rolloutOutputs.includes('left_fraction'); // true
 */
export const rolloutOutputs = [
  'path',
  'steps',
  'success',
  'left_moves',
  'first_action',
  'success_rate',
  'left_fraction',
] as const;

function checkCount(value: unknown, name: string, minimum: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new InvalidValueError({
      what: `${name} must be an integer ≥ ${minimum}, got ${String(value)}`,
      where: id,
      fix: `Leave ${name} out for the tutorial corridor (length 9, maxSteps 12).`,
    });
  }
  return value;
}

function configure(options: PolicyRolloutsOptions): ConfiguredPolicyRollouts {
  checkOptionNames(
    options,
    ['module', 'steeringKey', 'outKey', 'agentKey', 'goalKey', 'actionKey', 'length', 'maxSteps'],
    { modules: 'Use module: one path.', coefficient: 'Scale the vector in the operator that writes it.' },
    id,
  );
  if (typeof options.module !== 'string' || options.module === '') {
    throw new InvalidValueError({
      what: `module must be a module path, got ${JSON.stringify(options.module)}`,
      where: id,
      fix: "Pass module: 'features.2' (the second Linear of a QNetwork).",
    });
  }
  return {
    module: options.module,
    steeringKey: toKeyPath(options.steeringKey ?? ['steering', 'vector'], `${id} steeringKey`),
    outKey: toKeyPath(options.outKey ?? 'rollouts', `${id} outKey`),
    agentKey: toKeyPath(options.agentKey ?? 'agent', `${id} agentKey`),
    goalKey: toKeyPath(options.goalKey ?? 'goal', `${id} goalKey`),
    actionKey: toKeyPath(options.actionKey ?? 'action', `${id} actionKey`),
    length: checkCount(options.length ?? 9, 'length', 2),
    maxSteps: checkCount(options.maxSteps ?? 12, 'maxSteps', 1),
  };
}

function steerSpec(options: ConfiguredPolicyRollouts): HookSpec & { readonly direction: 'forward' } {
  return {
    path: options.module,
    direction: 'forward',
    operation: 'add-vector',
    detail: { steeringKey: [...options.steeringKey], when: 'steered rollouts and the pass on the data' },
  };
}

function readCells(data: TensorDict, key: KeyPath, name: string, length: number, rows: number): Int32Array {
  const tensor = readTensor(
    data,
    key,
    `${name} cells`,
    id,
    `Add the ${name} cell of every pair (corridorPanel() has them).`,
  );
  if (tensor.shape.join(',') !== data.batchShape.join(',')) {
    throw new ShapeMismatchError({
      what: `The ${name} cells have shape [${tensor.shape.join(', ')}], not the batch shape [${data.batchShape.join(', ')}]`,
      where: id,
      fix: 'Give one cell per sample.',
    });
  }
  const cells = Int32Array.from(tensor.dataSync(), Number);
  if (cells.length !== rows || cells.some((cell) => !Number.isInteger(cell) || cell < 0 || cell >= length)) {
    throw new InvalidValueError({
      what: `The ${name} cells must be integers in [0, ${length - 1}]`,
      where: id,
      fix: `Check the length option (${length}) against the data.`,
    });
  }
  return cells;
}

/**
 * Closed-loop rollouts on the corridor, inside a workflow: from every start–goal pair of the data (`agent`,
 * `goal`), the greedy policy walks until it reaches the goal or `maxSteps` run out, once as it is
 * (`baseline`) and once with the steering vector read from the data (`steeringKey`, e.g. what
 * {@link channelSteeringVector} wrote) added to `module`'s output at every step (`steered`). All pairs step in
 * one batch. Writes under `[outKey, condition]`: `path` (int32 `[...batch, maxSteps + 1]`, the cells visited,
 * the last one repeated after the end), `steps`, `left_moves` and `first_action` (int32 `[...batch]`: the
 * first is the open-loop decision at the start state), `success` (bool), and over all pairs `success_rate`
 * and `left_fraction` (left moves / all moves), broadcast to the batch. The model's outputs on the data's own
 * observations are published with the steering applied (as steeringVectors does). Program: one forward
 * `add-vector` hook on `module`, active only while steered. Passes: 1 + up to 2 · maxSteps.
 *
 * @example
 * const workflow = new Workflow([
 *   …, // writes ['steering', 'vector']
 *   policyRollouts({ module: 'features.2' }),
 * ]);
 * const { data: result } = workflow.run(corridorPolicy(), corridorPanel());
 * result.getTensor(['rollouts', 'steered', 'success_rate']); // [72], the same value everywhere
 */
export const policyRollouts: MethodFactory<PolicyRolloutsOptions, ConfiguredPolicyRollouts> =
  /* @__PURE__ */ defineMethod<PolicyRolloutsOptions, ConfiguredPolicyRollouts>({
    contract: 'tdhook.method/1',
    id,
    summary: 'Closed-loop corridor rollouts from every start–goal pair, with and without a steering vector',
    configure,
    requirements: (options) => ({ modelPasses: 1 + 2 * options.maxSteps, gradients: 'optional' }),
    plan: (options, model) => {
      if (model.node !== undefined) resolveModule(model.node, options.module);
      return {
        hooks: [steerSpec(options)],
        inKeys: [...model.inKeys, options.agentKey, options.goalKey, options.steeringKey],
        outKeys: rolloutConditions.flatMap((condition) =>
          rolloutOutputs.map((name) => joinKeys(options.outKey, [condition, name])),
        ),
      };
    },
    bind: (options, context) => {
      let vector: tf.Tensor | undefined;
      context.hook(steerSpec(options), (output) => {
        if (vector === undefined) return undefined;
        const activation = output as tf.Tensor;
        const last = activation.shape[activation.rank - 1];
        if (last !== vector.shape[0]) {
          throw new ShapeMismatchError({
            what: `The steering vector has ${vector.shape[0]} channels; ${options.module} has ${String(last)}`,
            where: id,
            fix: `Compute the vector from ${options.module}'s own activations.`,
          });
        }
        return tf.add(activation, vector);
      });
      context.onRestore(() => {
        vector?.dispose();
        vector = undefined;
      });
      const model = context.model;
      const [observationKey, ...otherKeys] = model.inKeys;
      return {
        run: (data) => {
          if (observationKey === undefined || otherKeys.length > 0) {
            throw new InvalidValueError({
              what: `policyRollouts drives a model with one input (the observation); this one reads ${model.inKeys.length}`,
              where: id,
              fix: 'Use a policy that reads only the observation, such as QNetwork.',
            });
          }
          const rows = data.batchShape.reduce((total, size) => total * size, 1);
          const agents = readCells(data, options.agentKey, 'agent', options.length, rows);
          const goals = readCells(data, options.goalKey, 'goal', options.length, rows);
          const steering = readTensor(
            data,
            options.steeringKey,
            'steering vector',
            id,
            'Compute it first, e.g. channelSteeringVector({ activationsKey: [...] }), or set steeringKey.',
          );
          if (steering.rank !== data.batchShape.length + 1) {
            throw new ShapeMismatchError({
              what: `The steering vector has shape [${steering.shape.join(', ')}]; expected [${[...data.batchShape, 'C'].join(', ')}]`,
              where: id,
              fix: 'Broadcast the one vector to every sample of the batch.',
            });
          }
          const width = steering.shape[steering.rank - 1] ?? 0;
          const row = uniformRow(steering.dataSync() as Float32Array, width, 'steering vector', id);
          const step = (observations: Float32Array, count: number): Int32Array => {
            const batch = new TensorDict(
              [[observationKey, tf.tensor3d(observations, [count, 2, options.length])]],
              { batchShape: [count] },
            );
            try {
              const result = model.run(batch);
              try {
                return Int32Array.from(result.getTensor(options.actionKey).dataSync(), Number);
              } finally {
                result.dispose();
              }
            } finally {
              batch.dispose();
            }
          };
          const walk = (): CorridorRollouts =>
            rollOutCorridor(agents, goals, options.length, options.maxSteps, step);
          const baseline = walk();
          const steer = tf.keep(tf.tensor1d(row));
          vector = steer;
          try {
            const steered = walk();
            const result = model.run(data);
            try {
              for (const [condition, record] of [
                ['baseline', baseline],
                ['steered', steered],
              ] as const) {
                publish(result, joinKeys(options.outKey, [condition]), record, options.maxSteps);
              }
            } catch (error) {
              result.dispose();
              throw error;
            }
            return result;
          } finally {
            steer.dispose();
            vector = undefined;
          }
        },
      };
    },
  });

function publish(result: TensorDict, key: KeyPath, record: CorridorRollouts, maxSteps: number): void {
  const batchShape = result.batchShape;
  const entries: [string, () => tf.Tensor][] = [
    ['path', () => tf.tensor(record.path, [...batchShape, maxSteps + 1], 'int32')],
    ['steps', () => tf.tensor(record.steps, [...batchShape], 'int32')],
    ['success', () => tf.tensor(record.success, [...batchShape], 'bool')],
    ['left_moves', () => tf.tensor(record.leftMoves, [...batchShape], 'int32')],
    ['first_action', () => tf.tensor(record.firstAction, [...batchShape], 'int32')],
    ['success_rate', () => tf.fill([...batchShape], record.successRate, 'float32')],
    ['left_fraction', () => tf.fill([...batchShape], record.leftFraction, 'float32')],
  ];
  for (const [name, make] of entries) {
    const tensor = make();
    try {
      result.set(joinKeys(key, [name]), tensor);
    } catch (error) {
      tensor.dispose(); // not the result's yet: the caller disposes the result, not this
      throw error;
    }
  }
}
