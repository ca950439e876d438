// Argument checks shared by every public function that installs hooks. They run before anything is
// installed: from plain JavaScript a wrong argument would otherwise fail halfway, after `forward` (or `call`)
// was already shadowed on the module.
import { InvalidValueError } from '../errors.js';
import { isModelNode, type ModelNode } from '../modules/model-node.js';
import { describeStructure } from './tensor-leaves.js';
import { hookDirections, type HookDirection } from './hook-types.js';

/** A value as written in an error message. */
function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : describeStructure(value);
}

/**
 * Checks that `model` is a tdhook Module or a TF.js Layers layer or model.
 *
 * @example
 * checkHookModel(model, 'registerHook');
 */
export function checkHookModel(model: unknown, where: string): asserts model is ModelNode {
  if (!isModelNode(model)) {
    throw new InvalidValueError({
      what: `Expected a model (a tdhook Module or a TF.js Layers layer or model), got ${show(model)}`,
      where,
      fix: 'Pass the model (or submodule) to hook as the first argument.',
    });
  }
}

/**
 * Checks that `direction` is one of the four hook directions.
 *
 * @example
 * checkHookDirection('forward', 'registerHook'); // fine; 'fwd' throws an InvalidValueError
 */
export function checkHookDirection(direction: unknown, where: string): asserts direction is HookDirection {
  if (!hookDirections.includes(direction as HookDirection)) {
    throw new InvalidValueError({
      what: `Unknown hook direction ${show(direction)}`,
      where,
      fix: `Use one of ${hookDirections.map((name) => `'${name}'`).join(', ')}.`,
    });
  }
}

/**
 * Checks that `hook` is a function.
 *
 * @example
 * checkHookFunction(hook, 'forward', "registerHook(model, 'fc1')");
 */
export function checkHookFunction(hook: unknown, direction: string, where: string): void {
  if (typeof hook !== 'function') {
    throw new InvalidValueError({
      what: `A ${direction} hook must be a function, got ${show(hook)}`,
      where,
      fix: 'Pass a function, e.g. (output) => undefined to observe only.',
    });
  }
}

/**
 * Checks an options argument: `undefined` or an object whose `prepend` is `undefined` or a boolean.
 *
 * @example
 * checkHookOptions({ prepend: true }, 'registerHook');
 */
export function checkHookOptions(options: unknown, where: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidValueError({
      what: `Hook options must be an object, got ${show(options)}`,
      where,
      fix: 'Pass { prepend: true } or leave the options out.',
    });
  }
  const prepend: unknown = (options as { prepend?: unknown }).prepend;
  if (prepend !== undefined && typeof prepend !== 'boolean') {
    throw new InvalidValueError({
      what: `prepend must be a boolean, got ${show(prepend)}`,
      where,
      fix: 'Use prepend: true to run before the hooks already there, or leave it out.',
    });
  }
}

/**
 * Checks that `path` is a module path string (its grammar is checked when it is resolved).
 *
 * @example
 * checkHookPath('fc1', 'registerHook');
 */
export function checkHookPath(path: unknown, where: string): asserts path is string {
  if (typeof path !== 'string') {
    throw new InvalidValueError({
      what: `A module path must be a string, got ${show(path)}`,
      where,
      fix: "Use a path such as 'fc1' or 'encoder.layers[-1]' ('' for the model itself).",
    });
  }
}
