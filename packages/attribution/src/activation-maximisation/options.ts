import { InvalidValueError, type Key } from '@tdhook/core';
import type { WithDefaults } from '@tdhook/core/plugin';

import {
  checkGradientOptions,
  defaultAttributionKey,
  type GradientAttributionOptions,
} from '../gradient-method.js';
import type { AttributionTarget, TargetSelect } from '../targets.js';
import { booleanOption } from '../option-checks.js';

/**
 * Options of `activationMaximisation`. The objective `ΣT` sums every target: the selected units of each of
 * `modules`, plus `target` / `targets` (module or model-output targets).
 *
 * @example
 * const options: ActivationMaximisationOptions = { modules: ['fc2'], select: 0, steps: 50, min: -1, max: 1 };
 */
export interface ActivationMaximisationOptions {
  /** Module paths whose outputs are maximised (with `select`). */
  readonly modules?: readonly string[];
  /** Which units of each of `modules` (see `TargetSelect`). Default `'sum'`: all of them. */
  readonly select?: TargetSelect;
  /** One more target (a module or a model output); at least one of modules, target, targets is required. */
  readonly target?: AttributionTarget;
  /** More targets, by name. */
  readonly targets?: Readonly<Record<string, AttributionTarget>>;
  /** Model input keys optimised. Default: every model input; the others are held fixed. */
  readonly inputs?: readonly Key[];
  /** Step size α. Default `0.1`. */
  readonly alpha?: number;
  /** Number of ascent steps (one model pass each). Default `10`. */
  readonly steps?: number;
  /** Lower bound the input is clamped to after each step. Default: none. */
  readonly min?: number;
  /** Upper bound the input is clamped to after each step. Default: none. */
  readonly max?: number;
  /** Step along the sign of the gradient (`α·sign(∂ΣT/∂x)`, as in FGSM) instead of the gradient. Default `false`. */
  readonly useSign?: boolean;
  /** Called after each step with the step number (from 1) and the number of steps. */
  readonly onProgress?: (step: number, total: number) => void;
  /** The key the optimised inputs are written under: `[attributionKey, inputKey]`. Default `'attr'`. */
  readonly attributionKey?: Key;
  /** At most this many rows per model pass. Default: everything in one pass. */
  readonly chunkSize?: number;
}

/**
 * The options of `activationMaximisation` once {@link checkActivationMaximisationOptions} has filled in the
 * defaults (the only place they are written). `min` and `max` stay optional: absent means no bound.
 *
 * @example
 * const configured: ConfiguredActivationMaximisationOptions = activationMaximisation({ modules: ['fc2'] }).options;
 * configured.steps; // 10
 */
export type ConfiguredActivationMaximisationOptions = WithDefaults<
  ActivationMaximisationOptions,
  'select' | 'alpha' | 'steps' | 'useSign' | 'attributionKey'
>;

/** The targets as the gradient engine sees them: one named target per module, then the user's. */
export function gradientOptionsOf(options: ActivationMaximisationOptions): GradientAttributionOptions {
  const targets: Record<string, AttributionTarget> = {};
  for (const path of options.modules ?? [])
    targets[`module ${path}`] = {
      module: path,
      ...(options.select === undefined ? {} : { select: options.select }),
    };
  if (options.target !== undefined) targets.target = options.target;
  for (const [name, target] of Object.entries(options.targets ?? {})) targets[`targets.${name}`] = target;
  const { inputs, attributionKey, chunkSize } = options;
  return {
    targets,
    ...(inputs === undefined ? {} : { inputs }),
    ...(attributionKey === undefined ? {} : { attributionKey }),
    ...(chunkSize === undefined ? {} : { chunkSize }),
  };
}

function checkNumber(
  value: unknown,
  name: string,
  where: string,
  valid: (value: number) => boolean,
  fix: string,
): void {
  if (value !== undefined && (typeof value !== 'number' || Number.isNaN(value) || !valid(value))) {
    throw new InvalidValueError({ what: `${name} is ${JSON.stringify(value)}`, where, fix });
  }
}

/** Checks the options with typed errors (configuration time). */
export function checkActivationMaximisationOptions(
  options: ActivationMaximisationOptions,
  where: string,
): ConfiguredActivationMaximisationOptions {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidValueError({
      what: 'Options must be an object',
      where,
      fix: "E.g. { modules: ['fc2'] }.",
    });
  }
  const modules: unknown = options.modules;
  if (
    modules !== undefined &&
    (!Array.isArray(modules) || modules.some((path) => typeof path !== 'string' || path === ''))
  ) {
    throw new InvalidValueError({
      what: `modules must be a list of module paths, got ${JSON.stringify(modules)}`,
      where,
      fix: "E.g. modules: ['fc2'].",
    });
  }
  if ((options.modules ?? []).length === 0 && options.target === undefined && options.targets === undefined) {
    throw new InvalidValueError({
      what: 'Nothing to maximise: no modules, target or targets',
      where,
      fix: "Name the module(s) to maximise: modules: ['fc2'], select: 0.",
    });
  }
  if (options.target !== undefined && options.targets !== undefined) {
    throw new InvalidValueError({ what: 'Both target and targets are set', where, fix: 'Use one of them.' });
  }
  if (options.inputs !== undefined && options.inputs.length === 0) {
    throw new InvalidValueError({
      what: 'inputs is empty: nothing to optimise',
      where,
      fix: 'Leave inputs out (every model input is optimised).',
    });
  }
  // The shared checks: targets, selections, inputs, attributionKey, chunkSize.
  checkGradientOptions(gradientOptionsOf(options), where);
  checkNumber(options.alpha, 'alpha', where, Number.isFinite, 'Give a finite step size, e.g. 0.1.');
  checkNumber(
    options.steps,
    'steps',
    where,
    (steps) => Number.isSafeInteger(steps) && steps >= 1,
    'Give a whole number of steps ≥ 1.',
  );
  checkNumber(options.min, 'min', where, () => true, 'Give a number, or leave it out for no bound.');
  checkNumber(options.max, 'max', where, () => true, 'Give a number, or leave it out for no bound.');
  if (options.min !== undefined && options.max !== undefined && options.min > options.max) {
    throw new InvalidValueError({
      what: `min (${String(options.min)}) is above max (${String(options.max)})`,
      where,
      fix: 'Swap them.',
    });
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new InvalidValueError({ what: 'onProgress must be a function (step, total) => void', where });
  }
  const filled: ConfiguredActivationMaximisationOptions = {
    ...options,
    select: options.select ?? 'sum',
    alpha: options.alpha ?? 0.1,
    steps: options.steps ?? 10,
    useSign: booleanOption(options.useSign, 'useSign', where, false),
    attributionKey: options.attributionKey ?? defaultAttributionKey,
  };
  return filled;
}
