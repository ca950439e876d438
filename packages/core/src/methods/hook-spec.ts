import { InvalidValueError } from '../errors.js';
import { hookDirections, type HookDirection } from '../hooks/hook-types.js';
import { describeValue, type JsonObject } from './describe-value.js';

/**
 * The path of a pattern spec: a hook (or state change) on every module the method selects when it is
 * prepared on a model. Never a real module path (module names with `*` are written escaped, `<a*b>`).
 *
 * @example
 * const pattern: HookSpec = { path: patternPath, direction: 'forward', operation: 'lrp-rule', detail: { modules: 'with a rule' } };
 */
export const patternPath = '*';

/**
 * A record of one change a method makes to a model: a hook at a path in a direction, or (with
 * `direction: null`) a state change such as a parameter edit. Methods declare them before binding, so that
 * plans, descriptions and compositions can be checked before anything changes.
 *
 * Operations in use: `capture` (reads only), `replace` and `stop`; a parameter read or edit is a `capture` or
 * `replace` with `direction: null`. Plugins may add their own operations (`lrp-rule`, `guided-relu`,
 * `canonize`). Only directional `capture` hooks count as read-only for composition.
 *
 * A plan made against a model lists concrete module paths. A plan made without one may instead declare a
 * pattern, path `'*'` ({@link patternPath}): "this hook on each module the method selects", with `detail`
 * saying which; the method lists the concrete paths once it is planned against a model.
 *
 * @example
 * const spec: HookSpec = { path: 'fc2', direction: 'forward', operation: 'capture' };
 * const rule: HookSpec = {
 *   path: 'fc1', direction: 'forward', operation: 'lrp-rule', prepend: true,
 *   detail: { rule: 'epsilon', params: { epsilon: 1e-6 }, source: 'composite' },
 * };
 */
export interface HookSpec {
  readonly path: string;
  readonly direction: HookDirection | null;
  readonly operation: string;
  readonly prepend?: boolean;
  /**
   * JSON that says what exactly the change does (the LRP rule and its parameters, the canonizer behind a
   * parameter edit). Part of the spec: `bind` must install the hook with the same detail that `plan` declared.
   */
  readonly detail?: JsonObject;
}

/**
 * True for a pattern spec (path `'*'`), which only a model-free plan may contain.
 *
 * @example
 * isPatternSpec({ path: '*', direction: 'forward', operation: 'guided-relu' }); // true
 */
export function isPatternSpec(spec: HookSpec): boolean {
  return spec.path === patternPath;
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
  if (spec.detail === undefined) return Object.freeze({ ...spec });
  const detail: unknown = spec.detail;
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    throw new InvalidValueError({
      what: `A hook spec's detail must be a JSON object, got ${Array.isArray(detail) ? 'an array' : JSON.stringify(detail)}`,
      where: `${where}, path '${path}'`,
      fix: "E.g. { rule: 'epsilon', params: { epsilon: 1e-6 } }.",
    });
  }
  // Keys sorted and frozen, so that equal details compare equal; non-JSON values are refused here.
  return Object.freeze({
    ...spec,
    detail: describeValue(detail, {}, `${where}, path '${path}', detail`) as JsonObject,
  });
}

const detailText = (spec: HookSpec): string =>
  spec.detail === undefined ? '' : JSON.stringify(describeValue(spec.detail, {}, 'detail'));

/**
 * True if two specs describe the same change (path, direction, operation, prepend and detail).
 *
 * @example
 * sameHookSpec(a, b);
 */
export function sameHookSpec(a: HookSpec, b: HookSpec): boolean {
  return (
    a.path === b.path &&
    a.direction === b.direction &&
    a.operation === b.operation &&
    (a.prepend ?? false) === (b.prepend ?? false) &&
    detailText(a) === detailText(b)
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
