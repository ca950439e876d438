import { InvalidValueError, namedModules, type ModelNode } from '@tdhook/core';
import { containerKindOf, describeStructure } from '@tdhook/core/plugin';

/**
 * Decides whether a selected module gets a probe (the original's `classes_to_hook` / `classes_to_skip`).
 *
 * @example
 * const denseOnly: ModuleFilter = (_path, module) => !(module instanceof Module) && module.getClassName() === 'Dense';
 */
export type ModuleFilter = (path: string, module: ModelNode) => boolean;

/**
 * The default {@link ModuleFilter}: every module but containers (`Sequential`, `ModuleList`, `ModuleDict`,
 * Layers models), which only pass their children's values on, like the original's default skip list.
 *
 * @example
 * notContainer('blocks', new ModuleList([a, b])); // false
 */
export const notContainer: ModuleFilter = (_path, module) => containerKindOf(module) === 'none';

/**
 * The RegExp a `select` stands for. A string is a pattern matched from the start of a path, as the
 * original's `re.match`: `'fc1|fc2'` selects `fc1` and `fc2`, and `'fc1$'` exactly `fc1`. A RegExp is used
 * with `RegExp.test` (anchor it yourself), without its stateful `g`/`y` flags.
 *
 * @example
 * selectionPattern('fc1|fc2').test('fc2'); // true
 */
export function selectionPattern(select: RegExp | string, where: string): RegExp {
  if (select instanceof RegExp) return new RegExp(select.source, select.flags.replace(/[gy]/g, ''));
  if (typeof select === 'string' && select !== '') {
    try {
      return new RegExp(`^(?:${select})`);
    } catch (error) {
      throw new InvalidValueError({
        what: `select ${JSON.stringify(select)} is not a valid regular expression`,
        where,
        fix: 'Escape special characters, or pass a RegExp.',
        cause: error,
      });
    }
  }
  throw new InvalidValueError({
    what: `select must be a RegExp or a non-empty pattern string, got ${describeStructure(select)}`,
    where,
    fix: "Pass e.g. /^fc\\d$/ or 'fc1|fc2' (matched from the start of module paths).",
  });
}

/**
 * The paths of the modules `pattern` selects in `model` (the model itself excluded), in registration
 * order, keeping those `filter` accepts.
 *
 * @example
 * selectedPaths(mlp, /^linear/, notContainer); // ['linear1', 'linear2', 'linear3']
 */
export function selectedPaths(model: ModelNode, pattern: RegExp, filter: ModuleFilter): string[] {
  return namedModules(model)
    .filter(([path, module]) => pattern.test(path) && filter(path, module))
    .map(([path]) => path);
}
