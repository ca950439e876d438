import * as tf from '@tensorflow/tfjs-core';
import {
  InvalidValueError,
  MissingKeyError,
  type HookSpec,
  type Key,
  type KeyPath,
  type MethodFactory,
  type TensorDict,
} from '@tdhook/core';
import { defineMethod, describeStructure, isKey, isTensor, keyId, patternPath } from '@tdhook/core/plugin';

import { notContainer, selectedPaths, selectionPattern, type ModuleFilter } from './module-selection.js';
import type { ProbeLike, ProbeStep } from './probe-step.js';

/**
 * Where a probe reads a module: its output (`'forward'`) or its first input (`'forward-pre'`).
 *
 * @example
 * const directions: ProbingDirection[] = ['forward-pre', 'forward'];
 */
export type ProbingDirection = 'forward' | 'forward-pre';

/**
 * Makes the probe of one module and direction. `probing` calls it once per selected module and direction
 * each time it is prepared on a model (a manager's factory returns the same probe every time), and never to
 * plan or describe.
 *
 * @example
 * const factory: ProbeFactory = (path, direction) => manager.probeFactory(path, direction);
 */
export type ProbeFactory = (path: string, direction: ProbingDirection) => ProbeLike;

/**
 * Options of {@link probing}.
 *
 * @example
 * const options: ProbingOptions = { select: /^fc\d$/, probeFactory: manager.probeFactory };
 */
export interface ProbingOptions {
  /**
   * Which modules: a RegExp over module paths (`RegExp.test`: anchor it yourself), or a pattern string
   * matched from the start of a path like the original's `re.match` (`'fc1|fc2'`; a manager's `keyPattern`).
   */
  readonly select: RegExp | string;
  readonly probeFactory: ProbeFactory;
  /** Default `['forward']`: probes read module outputs. */
  readonly directions?: readonly ProbingDirection[];
  /**
   * TensorDict entries given to every probe step besides the step type, read before the model runs: a list
   * of top-level keys (each item named by its key) or a record of item name → key (for nested keys).
   * Default `['labels']`; `[]` reads none.
   */
  readonly additionalKeys?: readonly string[] | Readonly<Record<string, Key>>;
  /** The entry that says `'fit'` or `'predict'`, given to steps as `stepType`. Default `'step_type'`; `null` reads none. */
  readonly stepKey?: Key | null;
  /** Which of the selected modules get a probe. Default: all but containers (`notContainer`). */
  readonly filter?: ModuleFilter;
}

/**
 * The options once `configure` has filled the defaults (additional keys as a name → key path record).
 *
 * @example
 * probing({ select: 'fc1', probeFactory }).options.stepKey; // ['step_type']
 */
export interface ConfiguredProbing {
  readonly select: RegExp | string;
  readonly probeFactory: ProbeFactory;
  readonly directions: readonly ProbingDirection[];
  readonly additionalKeys: Readonly<Record<string, KeyPath>>;
  readonly stepKey: KeyPath | null;
  readonly filter?: ModuleFilter;
}

const id = 'latent/probing';
const where = 'probing';

function configureProbing(options: ProbingOptions): ConfiguredProbing {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidValueError({
      what: `probing options must be an object, got ${describeStructure(options)}`,
      where,
      fix: 'Pass { select, probeFactory }.',
    });
  }
  selectionPattern(options.select, `${where}: select`);
  if (typeof options.probeFactory !== 'function') {
    throw new InvalidValueError({
      what: `probeFactory must be a function (path, direction) => probe, got ${describeStructure(options.probeFactory)}`,
      where: `${where}: probeFactory`,
      fix: 'Pass manager.probeFactory, or a function returning an object with step(value, step).',
    });
  }
  const directions = options.directions ?? ['forward'];
  if (
    !Array.isArray(directions) ||
    directions.length === 0 ||
    directions.some((direction) => direction !== 'forward' && direction !== 'forward-pre')
  ) {
    throw new InvalidValueError({
      what: `directions must be a non-empty list of 'forward' and 'forward-pre', got ${describeStructure(directions)}`,
      where: `${where}: directions`,
      fix: "Probes read activations; to probe gradients, cache them with activationCaching({ directions: ['backward'] }) and step a Probe on the cache.",
    });
  }
  if (options.filter !== undefined && typeof options.filter !== 'function') {
    throw new InvalidValueError({
      what: `filter must be a function (path, module) => boolean, got ${describeStructure(options.filter)}`,
      where: `${where}: filter`,
    });
  }
  const stepKey = options.stepKey === undefined ? 'step_type' : options.stepKey;
  if (stepKey !== null && !isKey(stepKey)) {
    throw new InvalidValueError({
      what: `stepKey must be a TensorDict key or null, got ${describeStructure(stepKey)}`,
      where: `${where}: stepKey`,
      fix: "E.g. 'step_type' or ['meta', 'step'].",
    });
  }
  return Object.freeze({
    select: options.select,
    probeFactory: options.probeFactory,
    directions: Object.freeze([...new Set(directions)]),
    additionalKeys: additionalItems(options.additionalKeys ?? ['labels']),
    stepKey: stepKey === null ? null : keyPath(stepKey),
    ...(options.filter === undefined ? {} : { filter: options.filter }),
  });
}

const keyPath = (key: Key): KeyPath =>
  Object.freeze(typeof key === 'string' ? [key] : [...key]) as unknown as KeyPath;

function additionalItems(given: unknown): Readonly<Record<string, KeyPath>> {
  const fail = (what: string): never => {
    throw new InvalidValueError({
      what,
      where: `${where}: additionalKeys`,
      fix: "additionalKeys must contain TensorDict keys: a list of top-level keys (['labels']) or a record of name → key ({ labels: ['meta', 'labels'] }).",
    });
  };
  const items: Record<string, KeyPath> = {};
  if (Array.isArray(given)) {
    for (const key of given as unknown[]) {
      if (typeof key !== 'string' || key === '') fail(`additionalKeys lists ${describeStructure(key)}, not a top-level key`);
      if ((key as string) === 'stepType') fail("additionalKeys may not name an item 'stepType' (the step type's name)");
      items[key as string] = keyPath(key as string);
    }
  } else if (typeof given === 'object' && given !== null) {
    for (const [name, key] of Object.entries(given)) {
      if (!isKey(key)) fail(`additionalKeys.${name} is ${describeStructure(key)}, not a key`);
      if (name === 'stepType') fail("additionalKeys may not name an item 'stepType' (the step type's name)");
      items[name] = keyPath(key as Key);
    }
  } else {
    fail(`additionalKeys is ${describeStructure(given)}`);
  }
  return Object.freeze(items);
}

/** Every TensorDict key the method reads besides the model's, without repeats. */
function probingKeys({ additionalKeys, stepKey }: ConfiguredProbing): KeyPath[] {
  const keys = [...Object.values(additionalKeys), ...(stepKey === null ? [] : [stepKey])];
  return keys.filter((key, index) => keys.findIndex((other) => keyId(other) === keyId(key)) === index);
}

const captureInputsSpec = (keys: readonly KeyPath[]): HookSpec & { readonly direction: 'forward-pre' } => ({
  path: '',
  direction: 'forward-pre',
  operation: 'capture-inputs',
  detail: { keys: keys.map((key) => [...key]) },
});

/** Reads the step type and additional items for one run, batch dims of tensors flattened to one. */
function readStep(options: ConfiguredProbing, data: TensorDict, made: tf.Tensor[]): ProbeStep {
  const read = (key: KeyPath, role: string): unknown => {
    if (!data.has(key)) {
      throw new MissingKeyError({
        what: `The ${role} key ${JSON.stringify(key.length === 1 ? key[0] : key)} is missing from the data`,
        where,
        fix:
          role === 'step type'
            ? "Set it to 'fit' or 'predict' on every batch (e.g. data.set('step_type', 'fit')), or pass stepKey: null."
            : 'Add it to every batch, or leave it out of additionalKeys.',
      });
    }
    const value = data.get(key);
    if (!isTensor(value) || data.batchShape.length === 1) return value;
    const rows = data.batchShape.reduce((total, size) => total * size, 1);
    const flat = tf.reshape(value, [rows, ...value.shape.slice(data.batchShape.length)]);
    made.push(flat);
    return flat;
  };
  const step: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(options.additionalKeys)) step[name] = read(key, `additional '${name}'`);
  if (options.stepKey !== null) step.stepType = read(options.stepKey, 'step type');
  return step;
}

function firstTensor(value: unknown, path: string, direction: ProbingDirection): tf.Tensor {
  const candidate = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (isTensor(candidate)) return candidate;
  throw new InvalidValueError({
    what: `Module '${path}' ${direction === 'forward' ? 'returned' : 'was called with'} ${describeStructure(value)}, not a tensor a probe can read`,
    where: `${where}: ${direction} hook on '${path}'`,
    fix: 'Select modules with tensor outputs (use filter to skip the others).',
  });
}

/**
 * Linear probing and concept activation vectors (SPEC §2.3 "Probing"): a reading hook on every module
 * `select` picks calls `probe.step(value, { stepType, labels, … })` with the module's output (or, for
 * `'forward-pre'`, its first input), where the step type and the additional items come from the
 * TensorDict of the run (`'step_type'` and `'labels'` by default; their batch dims flattened like the
 * model's). `probeFactory(path, direction)` is called once per module and direction each time the method is
 * prepared, never by `plan()` or `describe()`. The plan reads the model's keys plus these keys; a missing one
 * raises a `MissingKeyError` before the model runs. The run returns the model's outputs.
 *
 * @example
 * using manager = new ProbeManager(() => logisticRegression(), metrics);
 * const method = probing({ select: /^fc\d$/, probeFactory: manager.probeFactory });
 * {
 *   using prepared = method.prepare(model);
 *   prepared.run(fitBatch).dispose();     // step_type 'fit'
 *   prepared.run(predictBatch).dispose(); // step_type 'predict'
 * }
 * manager.results.getTensor(['predict', 'fc1_forward', 'accuracy']);
 */
export const probing: MethodFactory<ProbingOptions, ConfiguredProbing> = /* @__PURE__ */ defineMethod<
  ProbingOptions,
  ConfiguredProbing
>({
  contract: 'tdhook.method/1',
  id,
  summary: 'Fit and evaluate probes on module activations, one batch per run',
  configure: configureProbing,
  // Probes fit estimators inside the hooks: no tape may be recording around them.
  requirements: () => ({ modelPasses: 1, gradients: 'disabled' }),
  plan: (options, model) => {
    const keys = probingKeys(options);
    const inputs = keys.length === 0 ? [] : [captureInputsSpec(keys)];
    const node = model.node;
    const hooks: HookSpec[] =
      node === undefined
        ? options.directions.map((direction) => ({
            path: patternPath,
            direction,
            operation: 'probe',
            detail: { modules: `paths matching ${String(selectionPattern(options.select, where))}` },
          }))
        : options.directions.flatMap((direction) =>
            selectedPaths(
              node,
              selectionPattern(options.select, where),
              options.filter ?? notContainer,
            ).map((path) => ({ path, direction, operation: 'probe' })),
          );
    const inKeys = [...model.inKeys];
    for (const key of keys) if (!inKeys.some((known) => keyId(known) === keyId(key))) inKeys.push(key);
    return { hooks: [...inputs, ...hooks], inKeys, outKeys: [] };
  },
  bind: (options, context) => {
    const keys = probingKeys(options);
    const paths = selectedPaths(
      context.model.model,
      selectionPattern(options.select, where),
      options.filter ?? notContainer,
    );
    let pending: ProbeStep | undefined; // read by run(), before the model is called
    let active: ProbeStep | undefined = keys.length === 0 ? {} : undefined; // what the probes see
    if (keys.length > 0) {
      context.hook(captureInputsSpec(keys), () => {
        active = pending;
        return undefined;
      });
    }
    const stepOf = (path: string): ProbeStep => {
      if (active !== undefined) return active;
      throw new InvalidValueError({
        what: `Module '${path}' ran outside the prepared model's run(), so no step type or labels were read`,
        where,
        fix: 'Run the model through prepared.run(data) (or a Workflow) while probing is prepared.',
      });
    };
    for (const direction of options.directions) {
      for (const path of paths) {
        const probe = options.probeFactory(path, direction);
        if (typeof (probe as Partial<ProbeLike> | undefined)?.step !== 'function') {
          throw new InvalidValueError({
            what: `probeFactory('${path}', '${direction}') returned ${describeStructure(probe)}, not a probe`,
            where: `${where}: probeFactory`,
            fix: 'Return an object with step(value, step), e.g. a Probe.',
          });
        }
        const spec = { path, direction, operation: 'probe' } as const;
        if (direction === 'forward') {
          context.hook(spec, (output: unknown) => {
            probe.step(firstTensor(output, path, direction), stepOf(path));
            return undefined;
          });
        } else {
          context.hook({ ...spec, direction }, (args: readonly unknown[]) => {
            probe.step(firstTensor(args, path, direction), stepOf(path));
            return undefined;
          });
        }
      }
    }
    return {
      run: (data) => {
        const made: tf.Tensor[] = [];
        try {
          if (keys.length > 0) pending = readStep(options, data, made);
          return context.model.run(data);
        } finally {
          if (keys.length > 0) {
            pending = undefined;
            active = undefined;
          }
          for (const tensor of made) tensor.dispose();
        }
      },
    };
  },
});
