import * as tf from '@tensorflow/tfjs-core';

import {
  formatKey,
  InvalidValueError,
  MissingKeyError,
  ShapeMismatchError,
  toKeyPath,
  type Key,
  type KeyPath,
  type TensorDict,
} from '@tdhook/core';
import { keysEqual } from '@tdhook/core/plugin';

/**
 * Which units of an output are explained, per sample (captum's `target`):
 * - `'argmax'`: the largest unit of the last axis (the predicted class);
 * - a number: that unit for every sample (`3` = class 3);
 * - an array: one unit per sample, in batch order (flattened batch for several batch dims);
 * - `{ labels: key }`: one unit per sample, read from an integer tensor in the TensorDict;
 * - `'sum'`: every unit summed (the default for outputs with one unit per sample, e.g. a value head);
 * - a function of the output (`[rows, ...]`) returning one scalar per row (`[rows]`), e.g. the sum of two logits.
 *
 * @example
 * const predicted: TargetSelect = 'argmax';
 * const labelled: TargetSelect = { labels: 'label' };
 * const twoLogits: TargetSelect = (logits) => tf.sum(tf.gather(logits, [4, 7], 1), 1);
 */
export type TargetSelect =
  | 'argmax'
  | 'sum'
  | number
  | readonly number[]
  | { readonly labels: Key }
  | ((output: tf.Tensor) => tf.Tensor);

/**
 * What an attribution explains: the selected units of a model output, or of a module's output (a latent
 * target). Several targets are given by name: `targets: { actor: {...}, critic: {...} }`.
 *
 * @example
 * const predictedClass: AttributionTarget = { output: 'logits', select: 'argmax' };
 * const hiddenUnit: AttributionTarget = { module: 'fc2', select: 5 };
 */
export interface AttributionTarget {
  /** The model output key to explain. Default: the model's only output (required when it has several). */
  readonly output?: Key;
  /** A module path whose output is explained instead of a model output. */
  readonly module?: string;
  /** Which units; required when the output has several units per sample. */
  readonly select?: TargetSelect;
}

/**
 * Where a target reads its value: a model output (by position) or a captured module output.
 *
 * @example
 * const source: TargetSource = targetSource({ output: 'logits' }, [['logits'], ['value']], 'my target');
 */
export type TargetSource =
  | { readonly kind: 'output'; readonly index: number; readonly key: KeyPath }
  | { readonly kind: 'module'; readonly path: string };

/**
 * A target bound to a model and a batch: it turns the value it reads (`[rows, ...]`) into one scalar per
 * row. `sampleOfRow` maps rows to samples when the rows are not the samples themselves (integrated gradients
 * runs every sample at several points).
 *
 * @example
 * const target: ResolvedTarget = resolveTarget(undefined, { select: 'argmax' }, source, data, 4, 'target');
 * const perRow = target.pick(logits); // [4]
 * target.dispose();
 */
export interface ResolvedTarget {
  readonly name: string | undefined;
  readonly source: TargetSource;
  pick(value: tf.Tensor, sampleOfRow?: tf.Tensor): tf.Tensor;
  /** The same target with `'argmax'` fixed to the classes predicted for `value` (one per sample). */
  pin(value: tf.Tensor): ResolvedTarget;
  /** Frees the index tensors this target holds. */
  dispose(): void;
}

/** Named targets, or one unnamed target. */
export type TargetOptions =
  | { readonly target?: AttributionTarget; readonly targets?: undefined }
  | { readonly target?: undefined; readonly targets: Readonly<Record<string, AttributionTarget>> };

/**
 * The targets of a method as a list: one unnamed entry for `target` (default `{}`), one named entry per
 * `targets` field.
 *
 * @example
 * listTargets({ targets: { actor: { output: 'logits', select: 'argmax' } } }); // [['actor', {...}]]
 */
export function listTargets(
  options: {
    readonly target?: AttributionTarget;
    readonly targets?: Readonly<Record<string, AttributionTarget>>;
  },
  where: string,
): [string | undefined, AttributionTarget][] {
  if (options.target !== undefined && options.targets !== undefined) {
    throw new InvalidValueError({
      what: 'Both target and targets are set',
      where,
      fix: 'Use target for one target, or targets: { name: target, ... } for several.',
    });
  }
  if (options.targets === undefined) return [[undefined, options.target ?? {}]];
  const entries = Object.entries(options.targets);
  if (entries.length === 0) {
    throw new InvalidValueError({ what: 'targets is empty', where, fix: 'Name at least one target.' });
  }
  for (const [name] of entries) {
    if (name === '') throw new InvalidValueError({ what: 'A target name is empty', where, fix: 'Name it.' });
  }
  return entries;
}

/**
 * Checks a target against the model's output keys (the part that needs no tensors).
 *
 * @example
 * targetSource({ output: 'logits' }, [['logits'], ['value']], 'saliency target'); // { kind: 'output', index: 0, ... }
 */
export function targetSource(
  target: AttributionTarget,
  outKeys: readonly KeyPath[],
  where: string,
): TargetSource {
  if (target.module !== undefined) {
    if (target.output !== undefined) {
      throw new InvalidValueError({
        what: 'A target has both output and module',
        where,
        fix: 'Explain either a model output or a module output.',
      });
    }
    if (typeof target.module !== 'string') {
      throw new InvalidValueError({ what: 'target.module must be a module path string', where });
    }
    return { kind: 'module', path: target.module };
  }
  if (target.output === undefined) {
    const [only] = outKeys;
    if (outKeys.length !== 1 || only === undefined) {
      throw new InvalidValueError({
        what: `The model has ${outKeys.length} outputs (${outKeys.map((key) => formatKey(key)).join(', ')}) and the target names none`,
        where,
        fix: 'Say which output to explain: target: { output: key, select: ... }.',
      });
    }
    return { kind: 'output', index: 0, key: only };
  }
  const key = toKeyPath(target.output, `${where}.output`);
  const index = outKeys.findIndex((candidate) => keysEqual(candidate, key));
  if (index < 0) {
    throw new MissingKeyError({
      what: `The target output ${formatKey(key)} is not an output of the model`,
      where,
      fix: `Model outputs: ${outKeys.map((candidate) => formatKey(candidate)).join(', ')}.`,
    });
  }
  return { kind: 'output', index, key };
}

function checkSelect(select: TargetSelect | undefined, where: string): void {
  if (select === undefined || select === 'argmax' || select === 'sum' || typeof select === 'function') return;
  const isIndex = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;
  if (typeof select === 'number') {
    if (!isIndex(select)) {
      throw new InvalidValueError({
        what: `target.select must be a unit index (a whole number ≥ 0), got ${select}`,
        where,
      });
    }
    return;
  }
  if (Array.isArray(select)) {
    const bad = (select as readonly unknown[]).findIndex((value) => !isIndex(value));
    if (bad >= 0) {
      throw new InvalidValueError({
        what: `target.select[${bad}] must be a unit index (a whole number ≥ 0), got ${String((select as readonly unknown[])[bad])}`,
        where,
      });
    }
    return;
  }
  if (typeof select === 'object' && 'labels' in select) {
    toKeyPath(select.labels, `${where}.select.labels`);
    return;
  }
  throw new InvalidValueError({
    what: `target.select ${JSON.stringify(select)} is not a selection`,
    where,
    fix: "Use 'argmax', 'sum', a unit index, one index per sample, { labels: key } or a function.",
  });
}

/**
 * Checks a target's options without a model (at configuration time).
 *
 * @example
 * checkTarget({ select: -1 }, 'saliency target'); // throws InvalidValueError
 */
export function checkTarget(target: AttributionTarget, where: string): void {
  if (typeof target !== 'object' || (target as unknown) === null) {
    throw new InvalidValueError({
      what: 'A target must be an object',
      where,
      fix: "E.g. { select: 'argmax' }.",
    });
  }
  if (target.output !== undefined) toKeyPath(target.output, `${where}.output`);
  checkSelect(target.select, where);
}

/**
 * Binds a target to a batch: reads labels from `data` and builds the per-row selection. Unit indices are
 * checked against the value's last axis when it is first picked.
 *
 * @example
 * using resolved = resolveTarget('logits', { select: 'argmax' }, source, data, 4, 'target');
 */
export function resolveTarget(
  name: string | undefined,
  target: AttributionTarget,
  source: TargetSource,
  data: TensorDict,
  sampleCount: number,
  where: string,
): ResolvedTarget {
  const { select } = target;
  if (select === 'sum') return sumTarget(name, source);
  if (typeof select === 'function') return functionTarget(name, source, select);
  if (select === undefined || select === 'argmax') return argmaxTarget(name, source, select, where);
  if (typeof select === 'number') {
    return indexTarget(name, source, tf.fill([sampleCount], select, 'int32'), [select], where);
  }
  if (Array.isArray(select)) {
    const list = select as readonly number[];
    if (list.length !== sampleCount) {
      throw new ShapeMismatchError({
        what: `target.select has ${list.length} indices for ${sampleCount} samples`,
        where,
        fix: 'Give one unit index per sample (flattened batch order), or a single index for all.',
      });
    }
    return indexTarget(name, source, tf.tensor1d(list as number[], 'int32'), list, where);
  }
  const labelsKey = toKeyPath((select as { labels: Key }).labels);
  if (!data.has(labelsKey)) {
    throw new MissingKeyError({
      what: `The target labels ${formatKey(labelsKey)} are not in the TensorDict`,
      where,
      fix: 'Add one integer label per sample under that key.',
    });
  }
  const labels = data.getTensor(labelsKey);
  if (labels.dtype !== 'int32' || labels.size !== sampleCount) {
    throw new ShapeMismatchError({
      what: `The target labels ${formatKey(labelsKey)} are ${labels.dtype} ${JSON.stringify(labels.shape)}; expected int32 with one label per sample (${sampleCount})`,
      where,
      fix: 'Store the labels as an int32 tensor shaped like the batch.',
    });
  }
  return indexTarget(name, source, tf.reshape(labels, [sampleCount]), [...labels.dataSync()], where);
}

function unitsOf(value: tf.Tensor): number {
  return value.rank <= 1 ? 1 : (value.shape[value.rank - 1] as number);
}

function describeSource(source: TargetSource): string {
  return source.kind === 'output' ? `Output ${formatKey(source.key)}` : `Module '${source.path}'`;
}

const sumRest = (value: tf.Tensor): tf.Tensor =>
  value.rank <= 1
    ? value
    : tf.sum(
        value,
        Array.from({ length: value.rank - 1 }, (_, axis) => axis + 1),
      );

function sumTarget(name: string | undefined, source: TargetSource): ResolvedTarget {
  const target: ResolvedTarget = {
    name,
    source,
    pick: sumRest,
    pin: () => target,
    dispose: () => undefined,
  };
  return target;
}

function functionTarget(
  name: string | undefined,
  source: TargetSource,
  select: (output: tf.Tensor) => tf.Tensor,
): ResolvedTarget {
  const target: ResolvedTarget = {
    name,
    source,
    pick: (value) => {
      const picked = select(value);
      if (picked.rank !== 1 || picked.shape[0] !== value.shape[0]) {
        throw new ShapeMismatchError({
          what: `A target function returned ${JSON.stringify(picked.shape)} for an output ${JSON.stringify(value.shape)}`,
          where: `target ${name ?? ''}`.trim(),
          fix: `Return one scalar per row: shape [${String(value.shape[0])}].`,
        });
      }
      return picked;
    },
    pin: () => target,
    dispose: () => undefined,
  };
  return target;
}

/**
 * Multiplies by a one-hot mask of the last axis and sums the rest: differentiable, any rank ≥ 2. `indices`
 * is `[rows]` (one unit per row) or the value's shape without its last axis (one unit per position).
 */
function pickUnits(value: tf.Tensor, units: number, indices: tf.Tensor): tf.Tensor {
  if (units === 1) return sumRest(value); // the only unit (indices were checked); oneHot needs depth ≥ 2
  // Cast afterwards: the wasm OneHot kernel of tfjs 4.22 ignores dtype 'float32' and writes integer bits.
  const mask = tf.cast(
    tf.oneHot(indices.dtype === 'int32' ? indices : tf.cast(indices, 'int32'), units),
    'float32',
  );
  const shaped =
    mask.rank === value.rank
      ? mask
      : tf.reshape(mask, [mask.shape[0], ...value.shape.slice(1, -1).map(() => 1), units]);
  return sumRest(tf.mul(value, shaped));
}

function argmaxTarget(
  name: string | undefined,
  source: TargetSource,
  select: 'argmax' | undefined,
  where: string,
): ResolvedTarget {
  // No select: fine for one unit per sample (a value head), ambiguous otherwise.
  const check = (value: tf.Tensor): number => {
    const units = unitsOf(value);
    if (select === undefined && units > 1) {
      throw new InvalidValueError({
        what: `${describeSource(source)} has ${units} units per sample and the target does not say which to explain`,
        where,
        fix: "Set select: 'argmax' (predicted class), a class index, one index per sample, { labels: key } or 'sum'.",
      });
    }
    return units;
  };
  return {
    name,
    source,
    pick: (value) => {
      const units = check(value);
      return value.rank <= 1 ? value : pickUnits(value, units, tf.argMax(value, -1));
    },
    pin: (value) => {
      const units = check(value);
      return value.rank <= 1
        ? sumTarget(name, source)
        : indexTarget(name, source, tf.keep(tf.argMax(value, -1)), [], where, units);
    },
    dispose: () => undefined,
  };
}

function indexTarget(
  name: string | undefined,
  source: TargetSource,
  perSample: tf.Tensor,
  units: readonly number[],
  where: string,
  knownUnits?: number,
): ResolvedTarget {
  const check = (value: tf.Tensor): number => {
    const count = unitsOf(value);
    const bad = units.find((unit) => unit >= count || value.rank <= 1);
    if (bad !== undefined) {
      throw new InvalidValueError({
        what: `Unit ${bad} is out of range for ${describeSource(source)}, which has ${count} unit(s) per sample`,
        where,
        fix: `Use an index in [0, ${count}).`,
      });
    }
    return knownUnits ?? count;
  };
  const target: ResolvedTarget = {
    name,
    source,
    pick: (value, sampleOfRow) =>
      pickUnits(
        value,
        check(value),
        sampleOfRow === undefined ? perSample : tf.gather(perSample, sampleOfRow),
      ),
    pin: () => target,
    dispose: () => {
      perSample.dispose();
    },
  };
  return target;
}
