import type { ModelNode } from '../modules/model-node.js';
import { namedModules } from '../modules/resolve-module.js';
import { InvalidValueError } from '../errors.js';
import { checkHookDirection, checkHookFunction, checkHookModel, checkHookOptions } from './hook-arguments.js';
import { HookHandle } from './hook-handle.js';
import { addHook } from './hook-state.js';
import type { HookByDirection, HookDirection } from './hook-types.js';

/**
 * Options of {@link registerMatchingHooks}.
 *
 * @example
 * const clipAll: MatchingHooksOptions<'backward'> = {
 *   pattern: /^fc\d+$/, direction: 'backward', hook: () => (gradient) => tf.clipByValue(gradient, -1, 1),
 * };
 * using handle = registerMatchingHooks(model, clipAll);
 */
export interface MatchingHooksOptions<D extends HookDirection> {
  /**
   * Which submodules, by path (`'fc1'`, `'encoder.layers.0.mlp'`). Standard `RegExp.test` semantics: anchor
   * with `^…$` to match whole paths (the Python original anchored at the start only).
   */
  readonly pattern: RegExp;
  readonly direction: D;
  /** Makes the hook for one matching module. */
  readonly hook: (path: string, module: ModelNode) => HookByDirection[D];
  readonly prepend?: boolean;
}

/**
 * Hooks every submodule whose path matches `pattern` (the model itself excluded) and returns one handle for
 * all of them. The options are checked before anything is installed; if a hook factory throws midway, the
 * hooks already installed are removed again.
 *
 * @example
 * using handle = registerMatchingHooks(model, {
 *   pattern: /^fc\d+$/,
 *   direction: 'forward',
 *   hook: (path) => (output) => { console.log(path, (output as tf.Tensor).shape); },
 * });
 */
export function registerMatchingHooks<D extends HookDirection>(
  model: ModelNode,
  options: MatchingHooksOptions<D>,
): HookHandle {
  const where = 'registerMatchingHooks';
  checkHookModel(model, where);
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidValueError({
      what: `Options must be an object, got ${(options as unknown) === null ? 'null' : typeof options}`,
      where,
      fix: "Pass { pattern: /^fc\\d+$/, direction: 'forward', hook: (path) => (output) => { … } }.",
    });
  }
  checkHookOptions(options, where);
  const { pattern: given, direction, hook } = options as Partial<MatchingHooksOptions<D>>;
  if (!(given instanceof RegExp)) {
    throw new InvalidValueError({
      what: `pattern must be a RegExp, got ${typeof given === 'string' ? JSON.stringify(given) : typeof given}`,
      where,
      fix: 'Pass a regular expression over module paths, e.g. /^fc\\d+$/.',
    });
  }
  checkHookDirection(direction, where);
  if (typeof hook !== 'function') {
    throw new InvalidValueError({
      what: `hook must be a function (path, module) => hook, got ${typeof hook}`,
      where,
      fix: 'Pass a factory that makes the hook for one module: (path) => (output) => { … }.',
    });
  }
  // Without the stateful flags, so that test() does not depend on the previous call.
  const pattern = new RegExp(options.pattern.source, options.pattern.flags.replace(/[gy]/g, ''));
  const removers: (() => void)[] = [];
  try {
    for (const [path, module] of namedModules(model)) {
      if (!pattern.test(path)) continue;
      const made = options.hook(path, module);
      checkHookFunction(made, direction, `${where}: the hook made for '${path}'`);
      removers.push(
        addHook(module, direction, made, {
          path,
          ...(options.prepend === undefined ? {} : { prepend: options.prepend }),
        }),
      );
    }
  } catch (error) {
    // A hook factory failed midway: take back what was installed, so the model is unchanged.
    try {
      new HookHandle(removers).remove();
    } catch {
      // The factory's error says what went wrong; a failing removal would only hide it.
    }
    throw error;
  }
  return new HookHandle(removers);
}
