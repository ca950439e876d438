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

import type { CacheObjective } from '../caching/cache-options.js';
import { runWithGradients } from '../caching/gradient-run.js';
import { notContainer, selectedPaths, selectionPattern, type ModuleFilter } from './module-selection.js';
import type { ProbeLike, ProbeStep } from './probe-step.js';

/**
 * Where a probe reads a module: its output (`'forward'`), its first input (`'forward-pre'`), or the gradient
 * of the objective w.r.t. its first output (`'backward-pre'`) or first input (`'backward'`).
 *
 * @example
 * const directions: ProbingDirection[] = ['forward', 'backward-pre'];
 */
export type ProbingDirection = 'forward' | 'forward-pre' | 'backward' | 'backward-pre';

const probingDirections: readonly ProbingDirection[] = ['forward', 'forward-pre', 'backward', 'backward-pre'];
const isGradient = (direction: ProbingDirection): boolean => direction.startsWith('backward');

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
  /** Default `['forward']`: probes read module outputs. A gradient direction makes the run differentiate `objective`. */
  readonly directions?: readonly ProbingDirection[];
  /**
   * With a gradient direction: the function of the model's outputs (in `outKeys` order, batch dims flattened)
   * whose sum is differentiated. Default: the sum of every output (the original's `output.sum().backward()`).
   */
  readonly objective?: CacheObjective;
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
  readonly objective?: CacheObjective;
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
  const directions: readonly ProbingDirection[] = options.directions ?? ['forward'];
  const given: unknown = directions;
  if (
    !Array.isArray(given) ||
    given.length === 0 ||
    given.some((direction) => !probingDirections.includes(direction as ProbingDirection))
  ) {
    throw new InvalidValueError({
      what: `directions must be a non-empty list of ${probingDirections.map((d) => `'${d}'`).join(', ')}, got ${describeStructure(directions)}`,
      where: `${where}: directions`,
      fix: "E.g. ['forward'] (module outputs) or ['forward', 'backward-pre'] (outputs and their gradients).",
    });
  }
  if (options.objective !== undefined) {
    if (typeof options.objective !== 'function') {
      throw new InvalidValueError({
        what: `objective must be a function (outputs) => tensor, got ${describeStructure(options.objective)}`,
        where: `${where}: objective`,
      });
    }
    if (!directions.some(isGradient)) {
      throw new InvalidValueError({
        what: 'objective is set, but no gradient direction is probed',
        where: `${where}: objective`,
        fix: "Add 'backward' or 'backward-pre' to directions, or remove objective.",
      });
    }
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
    ...(options.objective === undefined ? {} : { objective: options.objective }),
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
      if (typeof key !== 'string' || key === '')
        fail(`additionalKeys lists ${describeStructure(key)}, not a top-level key`);
      if ((key as string) === 'stepType')
        fail("additionalKeys may not name an item 'stepType' (the step type's name)");
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
  for (const [name, key] of Object.entries(options.additionalKeys))
    step[name] = read(key, `additional '${name}'`);
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
 * `select` picks keeps the module's output (or, by direction, its first input, or the gradient of `objective`
 * w.r.t. its first output or input), and after the pass each probe gets `probe.step(value, { stepType,
 * labels, … })`, in hook order, where the step type and the additional items come from the TensorDict of the
 * run (`'step_type'` and `'labels'` by default; their batch dims flattened like the model's).
 * `probeFactory(path, direction)` is called once per module and direction each time the method is prepared,
 * never by `plan()` or `describe()`. The plan reads the model's keys plus these keys; a missing one raises a
 * `MissingKeyError` before the model runs. The run returns the model's outputs.
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
  // Probes step after the pass, outside any tape; gradient directions differentiate the objective.
  requirements: ({ directions }) => ({
    modelPasses: 1,
    gradients: directions.some(isGradient) ? 'required' : 'disabled',
  }),
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
            selectedPaths(node, selectionPattern(options.select, where), options.filter ?? notContainer).map(
              (path) => ({ path, direction, operation: 'probe' }),
            ),
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
    // Activations are kept in the hooks and stepped after the pass: outside the model call's tidy and any
    // gradient tape, so estimators fit freely. `armed` is set only while run() drives the model.
    let armed = false;
    const captured: { readonly probe: ProbeLike; readonly value: tf.Tensor }[] = [];
    const capture = (probe: ProbeLike, path: string, value: tf.Tensor): void => {
      if (!armed) {
        throw new InvalidValueError({
          what: `Module '${path}' ran outside the prepared model's run(), so no step type or labels were read`,
          where,
          fix: 'Run the model through prepared.run(data) (or a Workflow) while probing is prepared.',
        });
      }
      captured.push({ probe, value: tf.keep(tf.clone(value)) });
    };
    if (keys.length > 0) {
      context.hook(captureInputsSpec(keys), () => {
        armed = true;
        return undefined;
      });
    }
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
        if (direction === 'forward') {
          context.hook({ path, direction, operation: 'probe' }, (output: unknown) => {
            capture(probe, path, firstTensor(output, path, direction));
            return undefined;
          });
        } else if (direction === 'forward-pre') {
          context.hook({ path, direction, operation: 'probe' }, (args: readonly unknown[]) => {
            capture(probe, path, firstTensor(args, path, direction));
            return undefined;
          });
        } else {
          // The gradient w.r.t. the first output (backward-pre) or first input (backward).
          context.hook({ path, direction, operation: 'probe' }, (gradient: tf.Tensor, { index }) => {
            if (index === 0) capture(probe, path, gradient);
            return undefined;
          });
        }
      }
    }
    const gradients = options.directions.some(isGradient);
    const release = (): void => {
      for (const { value } of captured.splice(0)) value.dispose();
    };
    return {
      run: (data) => {
        const made: tf.Tensor[] = [];
        try {
          const step = keys.length > 0 ? readStep(options, data, made) : {};
          armed = keys.length === 0;
          const result = gradients
            ? runWithGradients(context.model, data, options.objective)
            : context.model.run(data);
          armed = false;
          try {
            for (let next = captured.shift(); next !== undefined; next = captured.shift()) {
              try {
                next.probe.step(next.value, step);
              } finally {
                next.value.dispose();
              }
            }
            return result;
          } catch (error) {
            result.dispose();
            throw error;
          }
        } finally {
          armed = false;
          release();
          for (const tensor of made) tensor.dispose();
        }
      },
    };
  },
});
