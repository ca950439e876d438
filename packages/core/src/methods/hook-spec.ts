import { InvalidValueError } from '../errors.js';
import { hookDirections, type HookDirection } from '../hooks/hook-types.js';

/**
 * A model-free record of one change a method makes to a model: a hook at a path in a direction, or (with
 * `direction: null`) a state change such as a parameter edit. Methods declare them before binding, so that
 * plans, descriptions and compositions can be checked without a model.
 *
 * Operations in use: `capture` (reads only), `replace` and `stop`; a parameter read or edit is a `capture` or
 * `replace` with `direction: null`. Plugins may add their own operations. Only directional `capture` hooks count
 * as read-only for composition.
 *
 * @example
 * const spec: HookSpec = { path: 'fc2', direction: 'forward', operation: 'capture' };
 */
export interface HookSpec {
  readonly path: string;
  readonly direction: HookDirection | null;
  readonly operation: string;
  readonly prepend?: boolean;
}

/**
 * Checks a spec's fields and returns a frozen copy.
 *
 * @example
 * checkHookSpec({ path: 'fc2', direction: 'forward', operation: 'capture' }, 'my/method');
 */
export function checkHookSpec(spec: HookSpec, where: string): HookSpec {
  const { path, direction, operation } = spec as { path: unknown; direction: unknown; operation: unknown };
  if (typeof path !== 'string') {
    throw new InvalidValueError({
      what: `A hook spec's path must be a string, got ${typeof path}`,
      where,
      fix: "Use a module path such as 'fc2' ('' for the model).",
    });
  }
  if (direction !== null && !hookDirections.includes(direction as HookDirection)) {
    throw new InvalidValueError({
      what: `A hook spec's direction must be one of ${hookDirections.join(', ')} or null, got ${JSON.stringify(direction)}`,
      where: `${where}, path '${path}'`,
      fix: 'Use null for changes that are not hooks (parameter edits).',
    });
  }
  if (typeof operation !== 'string' || operation === '') {
    throw new InvalidValueError({
      what: 'A hook spec needs a non-empty operation',
      where: `${where}, path '${path}'`,
      fix: "E.g. 'capture' or 'replace'.",
    });
  }
  if (spec.prepend !== undefined && typeof spec.prepend !== 'boolean') {
    throw new InvalidValueError({
      what: 'A hook spec’s prepend must be a boolean',
      where: `${where}, path '${path}'`,
    });
  }
  return Object.freeze({ ...spec });
}

/**
 * True if two specs describe the same change.
 *
 * @example
 * sameHookSpec(a, b);
 */
export function sameHookSpec(a: HookSpec, b: HookSpec): boolean {
  return (
    a.path === b.path &&
    a.direction === b.direction &&
    a.operation === b.operation &&
    (a.prepend ?? false) === (b.prepend ?? false)
  );
}

/**
 * True if every spec is a directional capture: a method whose program is read-only can share a model pass
 * with others.
 *
 * @example
 * isReadOnlyProgram([{ path: 'fc1', direction: 'forward', operation: 'capture' }]); // true
 */
export function isReadOnlyProgram(specs: readonly HookSpec[]): boolean {
  return specs.length > 0 && specs.every((spec) => spec.direction !== null && spec.operation === 'capture');
}
