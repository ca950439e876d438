import { InvalidValueError } from '../errors.js';
import { normalizeTarget, type Target, type TargetJSON } from './target.js';

/**
 * Serialises a target to its canonical JSON text: defaults filled in, keys sorted, so equal targets give
 * equal texts. {@link targetFromJSON} reads it back.
 *
 * @example
 * targetToJSON({ path: 'fc1', indices: [2] });
 * // '{"featureAxis":-1,"indices":[2],"kind":"activation","outputIndex":0,"path":"fc1"}'
 */
export function targetToJSON(target: Target | string): string {
  return JSON.stringify(normalizeTarget(target));
}

/**
 * Reads a target from JSON text (as written by {@link targetToJSON}, or by hand) and validates it like
 * {@link normalizeTarget}. Text that is not JSON, or JSON that is not an object, is an `InvalidValueError`.
 *
 * @example
 * const target = targetFromJSON('{"path":"fc2","kind":"gradient","indices":[0,5]}');
 */
export function targetFromJSON(text: string): TargetJSON {
  if (typeof text !== 'string') {
    throw new InvalidValueError({
      what: `targetFromJSON takes a JSON string, got ${typeof text}`,
      where: 'targetFromJSON',
      fix: 'Pass the text; for an object use normalizeTarget.',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidValueError({
      what: `Target JSON is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      where: 'targetFromJSON',
      fix: 'Pass text written by targetToJSON.',
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidValueError({
      what: `Target JSON must hold an object, got ${Array.isArray(parsed) ? 'an array' : String(parsed)}`,
      where: 'targetFromJSON',
      fix: 'E.g. {"path":"fc1","indices":[2]}.',
    });
  }
  return normalizeTarget(parsed as Target);
}
