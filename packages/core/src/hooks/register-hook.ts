import type { ModelNode } from '../modules/model-node.js';
import { resolveModule } from '../modules/resolve-module.js';
import { EarlyStop } from './early-stop.js';
import {
  checkHookDirection,
  checkHookFunction,
  checkHookModel,
  checkHookOptions,
  checkHookPath,
} from './hook-arguments.js';
import { HookHandle } from './hook-handle.js';
import { addHook } from './hook-state.js';
import type { HookByDirection, HookDirection } from './hook-types.js';

/**
 * Options of {@link registerHook}.
 *
 * @example
 * const options: RegisterHookOptions = { prepend: true };
 * registerHook(model, 'fc2', 'forward', addOne, options); // runs before fc2's other forward hooks
 */
export interface RegisterHookOptions {
  /** Run before the hooks already registered in this direction, instead of after them. */
  readonly prepend?: boolean;
}

/**
 * Registers a hook on the submodule at `path` (module path grammar: `'fc2'`, `'encoder.layers[-1]'`, `''` for
 * the model itself) of a plain TypeScript {@link Module} or a TF.js Layers model. The hook lives until the
 * returned handle is removed; the model is then exactly as before. Every argument is checked before anything
 * is installed (an `InvalidValueError`, or a path error naming the children there are).
 *
 * @example
 * const captured: tf.Tensor[] = [];
 * using handle = registerHook(model, 'fc2', 'forward', (output) => {
 *   captured.push(tf.keep(tf.clone(output as tf.Tensor)));
 * });
 * model.call(x);
 */
export function registerHook<D extends HookDirection>(
  model: ModelNode,
  path: string,
  direction: D,
  hook: HookByDirection[D],
  options: RegisterHookOptions = {},
): HookHandle {
  const where = 'registerHook';
  checkHookModel(model, where);
  checkHookPath(path, where);
  checkHookDirection(direction, `${where}(model, '${path}')`);
  checkHookFunction(hook, direction, `${where}(model, '${path}', '${direction}')`);
  checkHookOptions(options, `${where}(model, '${path}', '${direction}')`);
  const node = resolveModule(model, path);
  const remove = addHook(node, direction, hook, {
    path,
    ...(options.prepend === undefined ? {} : { prepend: options.prepend }),
  });
  return new HookHandle([remove]);
}

/**
 * Ends every forward pass right after the module at `path` runs, by throwing {@link EarlyStop}. Run the
 * model through {@link runStoppable} (sessions and prepared methods do) to get the result instead of the
 * exception.
 *
 * @example
 * using stop = stopAfter(model, 'fc1');
 * runStoppable(() => model.call(x)); // { stopped: true, path: 'fc1' }; fc2 and fc3 never ran
 */
export function stopAfter(model: ModelNode, path: string): HookHandle {
  checkHookModel(model, 'stopAfter');
  checkHookPath(path, 'stopAfter');
  return registerHook(model, path, 'forward', () => {
    throw new EarlyStop(path);
  });
}
