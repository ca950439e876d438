import { InvalidPathError } from '../errors.js';

/**
 * The grammar in one sentence, the fix offered when a path does not parse.
 *
 * @example
 * new InvalidPathError({ what: 'Invalid module path', fix: MODULE_PATH_GRAMMAR_HINT });
 */
export const MODULE_PATH_GRAMMAR_HINT: string =
  "A module path joins child names with '.' (names of letters, digits and '_', or any name escaped as " +
  "<block/0>) and adds indexes: [0], [-1], ['key'] or [1:3]; nothing in it is evaluated.";

/**
 * The error for a path that does not parse: names the path, the problem and the 0-based position.
 *
 * @example
 * throw invalidModulePath('items[0', "missing closing ']' for the index opened at position 5", 7);
 */
export function invalidModulePath(
  path: string,
  problem: string,
  position: number,
  fix: string = MODULE_PATH_GRAMMAR_HINT,
): InvalidPathError {
  return new InvalidPathError({
    what: `Invalid module path '${path}': ${problem}`,
    where: `position ${position}`,
    fix,
  });
}

/**
 * Shows one character of a path in a message: quoted if printable, as `U+XXXX` otherwise.
 *
 * @example
 * describeCharacter('(');  // "'('"
 * describeCharacter('\n'); // 'U+000A'
 */
export function describeCharacter(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) {
    return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `'${character}'`;
}

/**
 * The character at `position`, whole even if it is outside the Basic Multilingual Plane.
 *
 * @example
 * characterAt('a😀', 1); // '😀'
 */
export function characterAt(text: string, position: number): string {
  const code = text.codePointAt(position);
  return code === undefined ? '' : String.fromCodePoint(code);
}

/**
 * The error for a module path that is not a string, e.g. a number or an array passed from untyped code.
 *
 * @example
 * throw modulePathNotAString(42); // Invalid module path: module paths are strings, got number. …
 */
export function modulePathNotAString(value: unknown): InvalidPathError {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  return new InvalidPathError({
    what: `Invalid module path: module paths are strings, got ${kind}`,
    fix: MODULE_PATH_GRAMMAR_HINT,
  });
}
