import { InvalidValueError } from '../errors.js';
import { describeStructure } from '../hooks/tensor-leaves.js';

/**
 * An `InvalidValueError` for an options argument that is not a plain object, or that has an option the
 * function does not know (a typo would otherwise be ignored silently); the original's names get a hint to
 * their counterpart here. Method packages (intervention, weights) call it first thing in `configure`.
 *
 * @example
 * checkOptionNames(options, ['amount', 'modules'], { amount_to_prune: 'Use amount.' }, 'weights/pruning');
 */
export function checkOptionNames(
  options: unknown,
  known: readonly string[],
  renamed: Readonly<Record<string, string>>,
  where: string,
): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidValueError({
      what: `${where} options must be an object, got ${describeStructure(options)}`,
      where,
      fix: `Pass { ${known.join(', ')} }.`,
    });
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw new InvalidValueError({
        what: `${where} has no option ${JSON.stringify(name)}`,
        where,
        fix: renamed[name] ?? `Options: ${known.join(', ')}.`,
      });
    }
  }
}
