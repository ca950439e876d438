import { InvalidValueError, TdhookError } from '../errors.js';

/**
 * Removes the hooks it stands for. `remove()` is idempotent, removes in reverse order of installation, and
 * when one removal fails still runs the others before rethrowing the first error. Works with `using`.
 *
 * @example
 * using handle = registerHook(model, 'fc2', 'forward', (out) => tf.mul(out as tf.Tensor, 0));
 * model.call(x); // fc2's output zeroed
 * // removed at the end of the block
 */
export class HookHandle {
  #removers: (() => void)[];
  #removed = false;

  constructor(removers: readonly (() => void)[] = []) {
    this.#removers = [...removers];
  }

  /**
   * One handle for several: removing it removes all of them.
   *
   * @example
   * const both = HookHandle.combine(first, second);
   */
  static combine(...handles: readonly HookHandle[]): HookHandle {
    for (const handle of handles as readonly unknown[]) {
      if (!(handle instanceof HookHandle)) {
        throw new InvalidValueError({
          what: `HookHandle.combine takes HookHandles, got ${handle === null ? 'null' : typeof handle}`,
          where: 'HookHandle.combine',
          fix: 'Pass the handles that registerHook, registerMatchingHooks or stopAfter returned.',
        });
      }
    }
    return new HookHandle(
      handles.map((handle) => () => {
        handle.remove();
      }),
    );
  }

  /** True once {@link HookHandle.remove} ran. */
  get removed(): boolean {
    return this.#removed;
  }

  /** Removes the hooks. Safe to call more than once. */
  remove(): void {
    if (this.#removed) return;
    this.#removed = true;
    const removers = this.#removers;
    this.#removers = [];
    let first: { error: unknown } | undefined;
    for (const remover of removers.reverse()) {
      try {
        remover();
      } catch (error) {
        first ??= { error };
      }
    }
    if (first !== undefined) {
      throw TdhookError.is(first.error)
        ? first.error
        : new TdhookError({ code: 'E_HOOK', what: 'Removing a hook failed', cause: first.error });
    }
  }

  [Symbol.dispose](): void {
    this.remove();
  }
}
