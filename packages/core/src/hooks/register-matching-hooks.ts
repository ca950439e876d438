import type { ModelNode } from '../modules/model-node.js';
import { namedModules } from '../modules/resolve-module.js';
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
 * all of them.
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
  // Without the stateful flags, so that test() does not depend on the previous call.
  const pattern = new RegExp(options.pattern.source, options.pattern.flags.replace(/[gy]/g, ''));
  const removers: (() => void)[] = [];
  try {
    for (const [path, module] of namedModules(model)) {
      if (!pattern.test(path)) continue;
      const hook = options.hook(path, module);
      removers.push(
        addHook(module, options.direction, hook, {
          path,
          ...(options.prepend === undefined ? {} : { prepend: options.prepend }),
        }),
      );
    }
  } catch (error) {
    // A hook factory failed midway: take back what was installed, so the model is unchanged.
    new HookHandle(removers).remove();
    throw error;
  }
  return new HookHandle(removers);
}
