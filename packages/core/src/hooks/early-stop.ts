const earlyStopBrand = Symbol.for('tdhook.early-stop');

/**
 * Thrown by an early-stop hook to end a forward pass after a module; caught by whoever ran the model
 * through tdhook (a session, a prepared method, {@link runStoppable}). Not an error: nothing went wrong.
 *
 * @example
 * registerHook(model, 'encoder', 'forward', () => { throw new EarlyStop('encoder'); });
 */
export class EarlyStop extends Error {
  override readonly name: string = 'EarlyStop';
  /** The module path after which the pass stopped. */
  readonly path: string;

  constructor(path: string) {
    super(`Forward pass stopped early after module '${path}'`);
    this.path = path;
    Object.defineProperty(this, earlyStopBrand, { value: true });
  }

  /** True for an EarlyStop from any copy of the package. */
  static is(value: unknown): value is EarlyStop {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[earlyStopBrand] === true
    );
  }
}

/**
 * What {@link runStoppable} returns.
 *
 * @example
 * const result: StoppableResult<tf.Tensor> = runStoppable(() => model.call(x));
 * if (!result.stopped) result.value.print();
 */
export type StoppableResult<T> =
  { readonly stopped: false; readonly value: T } | { readonly stopped: true; readonly path: string };

/**
 * Runs `fn`, turning an {@link EarlyStop} into a result instead of an exception; other errors propagate.
 *
 * @example
 * const result = runStoppable(() => model.call(x));
 * if (result.stopped) console.log(`stopped after ${result.path}`);
 */
export function runStoppable<T>(fn: () => T): StoppableResult<T> {
  try {
    return { stopped: false, value: fn() };
  } catch (error) {
    if (EarlyStop.is(error)) return { stopped: true, path: error.path };
    throw error;
  }
}
