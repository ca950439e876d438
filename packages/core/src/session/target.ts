import { InvalidValueError } from '../errors.js';

/**
 * What a {@link Target} selects: a module's output, the gradient w.r.t. that output, or a parameter.
 *
 * @example
 * const kind: TargetKind = 'gradient';
 * const target: Target = { path: 'fc1', kind, indices: [2] }; // the gradient w.r.t. fc1's output, unit 2
 */
export type TargetKind = 'activation' | 'gradient' | 'parameter';

/**
 * A serialisable selector of units inside a model: which module (`path`, module path grammar), what of it
 * (`kind`), and which units along which axis. Plain data, so it can be stored, sent and compared; a bare path
 * string means "the whole activation of that module".
 *
 * @example
 * const unit2: Target = { path: 'fc1', indices: [2] }; // fc1's output, unit 2 of the last axis
 * const channel: Target = { path: 'conv2', kind: 'gradient', featureAxis: 1, indices: [0, 3] };
 * const column: Target = { path: 'fc1', kind: 'parameter', parameter: 'kernel', featureAxis: 1, indices: [5] };
 */
export interface Target {
  /** The module path: `'fc1'`, `'layers[-1]'`, `''` for the model itself. */
  readonly path: string;
  /** `'activation'` (default), `'gradient'` (w.r.t. the module's output) or `'parameter'`. */
  readonly kind?: TargetKind;
  /** The axis that holds the units (features, channels, rows, columns); negative counts from the end. Default -1. */
  readonly featureAxis?: number;
  /** The units along `featureAxis`, negative counting from the end; omitted means every unit. Never empty. */
  readonly indices?: readonly number[];
  /** The parameter's name on the module (`'kernel'`, `'bias'`); required for, and only for, kind `'parameter'`. */
  readonly parameter?: string;
  /** Which tensor of a module that returns several (in output order); activation and gradient only. Default 0. */
  readonly outputIndex?: number;
}

/**
 * The canonical form of a {@link Target}: every default filled in, keys in sorted order, frozen. Two targets
 * that select the same thing have equal `TargetJSON`s, and `JSON.stringify` of one is its serialised form.
 * `outputIndex` is present for activations and gradients, `parameter` for parameters, `indices` when given.
 *
 * @example
 * normalizeTarget('fc1'); // { featureAxis: -1, kind: 'activation', outputIndex: 0, path: 'fc1' }
 */
export interface TargetJSON {
  readonly featureAxis: number;
  readonly indices?: readonly number[];
  readonly kind: TargetKind;
  readonly outputIndex?: number;
  readonly parameter?: string;
  readonly path: string;
}

const kinds: readonly TargetKind[] = ['activation', 'gradient', 'parameter'];
const fields = ['path', 'kind', 'featureAxis', 'indices', 'parameter', 'outputIndex'] as const;

function invalid(what: string, fix: string): InvalidValueError {
  return new InvalidValueError({ what, where: 'target', fix });
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}

function checkFields(record: Readonly<Record<string, unknown>>): void {
  for (const key of Object.keys(record)) {
    if (!(fields as readonly string[]).includes(key)) {
      throw invalid(`A target has no field ${JSON.stringify(key)}`, `Known fields: ${fields.join(', ')}.`);
    }
  }
}

function normalizeKind(kind: unknown): TargetKind {
  if (kind === undefined) return 'activation';
  if (!kinds.includes(kind as TargetKind)) {
    throw invalid(
      `Target kind must be one of ${kinds.join(', ')}, got ${show(kind)}`,
      "Omit it for 'activation'.",
    );
  }
  return kind as TargetKind;
}

function normalizeAxis(axis: unknown): number {
  if (axis === undefined) return -1;
  if (typeof axis !== 'number' || !Number.isSafeInteger(axis)) {
    throw invalid(
      `featureAxis must be an integer, got ${show(axis)}`,
      'Use e.g. -1 (last axis) or 1 (channels).',
    );
  }
  return axis;
}

function normalizeIndices(indices: unknown): readonly number[] | undefined {
  if (indices === undefined) return undefined;
  if (!Array.isArray(indices) || indices.length === 0) {
    throw invalid(
      `indices must be a non-empty array of integers, got ${Array.isArray(indices) ? 'an empty array' : show(indices)}`,
      'Omit indices to select every unit.',
    );
  }
  const copy: number[] = [];
  for (const [position, index] of (indices as unknown[]).entries()) {
    if (typeof index !== 'number' || !Number.isSafeInteger(index)) {
      throw invalid(
        `indices[${position}] must be an integer, got ${show(index)}`,
        'Give unit numbers, e.g. [0, 5].',
      );
    }
    copy.push(index);
  }
  return Object.freeze(copy);
}

function normalizeParameter(kind: TargetKind, parameter: unknown): string | undefined {
  if (kind !== 'parameter') {
    if (parameter !== undefined) {
      throw invalid(
        `parameter is only for kind 'parameter', not '${kind}'`,
        "Remove it, or set kind: 'parameter'.",
      );
    }
    return undefined;
  }
  if (typeof parameter !== 'string' || parameter === '') {
    throw invalid(
      `A 'parameter' target needs the parameter's name, got ${show(parameter)}`,
      "Add e.g. parameter: 'kernel'.",
    );
  }
  return parameter;
}

function normalizeOutputIndex(kind: TargetKind, outputIndex: unknown): number | undefined {
  if (kind === 'parameter') {
    if (outputIndex !== undefined) {
      throw invalid("outputIndex is only for activation and gradient targets, not 'parameter'", 'Remove it.');
    }
    return undefined;
  }
  if (outputIndex === undefined) return 0;
  if (typeof outputIndex !== 'number' || !Number.isSafeInteger(outputIndex) || outputIndex < 0) {
    throw invalid(
      `outputIndex must be an integer ≥ 0, got ${show(outputIndex)}`,
      "It counts the module's output tensors in order, from 0.",
    );
  }
  return outputIndex;
}

/**
 * Checks a target (or a bare module path) and returns its canonical {@link TargetJSON}. Throws an
 * `InvalidValueError` for an unknown field, a bad kind, a non-integer or boolean axis or index, empty indices,
 * a missing or misplaced `parameter`, or a misplaced or negative `outputIndex`. The model is not consulted:
 * {@link validateTarget} checks the path and parameter against a model.
 *
 * @example
 * normalizeTarget({ path: 'fc1', indices: [2] });
 * // { featureAxis: -1, indices: [2], kind: 'activation', outputIndex: 0, path: 'fc1' }
 */
export function normalizeTarget(target: Target | string): TargetJSON {
  if (typeof target === 'string') target = { path: target };
  if (typeof target !== 'object' || (target as unknown) === null || Array.isArray(target)) {
    throw invalid(
      `A target must be an object or a module path string, got ${show(target)}`,
      "E.g. { path: 'fc1' }.",
    );
  }
  const record = target as unknown as Readonly<Record<string, unknown>>;
  checkFields(record);
  if (typeof record.path !== 'string') {
    throw invalid(
      `A target's path must be a string, got ${show(record.path)}`,
      "Use a module path, e.g. 'fc1'.",
    );
  }
  const kind = normalizeKind(record.kind);
  const featureAxis = normalizeAxis(record.featureAxis);
  const indices = normalizeIndices(record.indices);
  const parameter = normalizeParameter(kind, record.parameter);
  const outputIndex = normalizeOutputIndex(kind, record.outputIndex);
  // Keys in sorted order, so that JSON.stringify gives one text per target.
  return Object.freeze({
    featureAxis,
    ...(indices === undefined ? {} : { indices }),
    kind,
    ...(outputIndex === undefined ? {} : { outputIndex }),
    ...(parameter === undefined ? {} : { parameter }),
    path: record.path,
  });
}

/**
 * A short description of a target for messages: `activation 'fc1' [axis -1, units 2]`.
 *
 * @example
 * describeTarget(normalizeTarget({ path: 'fc1', indices: [2] })); // "activation 'fc1' [axis -1, units 2]"
 */
export function describeTarget(target: TargetJSON): string {
  const what = target.parameter === undefined ? target.kind : `parameter '${target.parameter}' of`;
  const units = target.indices === undefined ? 'all units' : `units ${target.indices.join(',')}`;
  const output =
    target.outputIndex !== undefined && target.outputIndex > 0 ? `, output ${target.outputIndex}` : '';
  return `${what} '${target.path}' [axis ${target.featureAxis}, ${units}${output}]`;
}
