import type { InvalidPathError } from '../errors.js';
import { characterAt, describeCharacter, invalidModulePath } from './module-path-errors.js';

// The escapes that JavaScript and Python both read the same way; anything else after a backslash is an error
// rather than a guess, so that a path means the same thing in both languages.
const simpleEscapes: ReadonlyMap<string, string> = new Map([
  ['\\', '\\'],
  ["'", "'"],
  ['"', '"'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
  ['b', '\b'],
  ['f', '\f'],
  ['v', '\v'],
]);

const ESCAPES_HINT: string =
  'Quoted keys accept the escapes \\\\, \\\', \\", \\n, \\r, \\t, \\b, \\f, \\v, \\xHH, \\uHHHH and \\u{H…}.';

const HEX_DIGITS = /^[0-9A-Fa-f]+$/;

/**
 * Reads the quoted key that fills the brackets `path[open]` … `path[close]` (`open` is the `[`, and the key's
 * opening quote follows it) and returns its decoded value. Throws `InvalidPathError` for an unknown escape or
 * text after the closing quote.
 *
 * @example
 * readQuotedKey("heads['q\\'k']", 5, 12); // "q'k"
 */
export function readQuotedKey(path: string, open: number, close: number): string {
  const quote = path.charAt(open + 1);
  let value = '';
  let position = open + 2;
  while (position < close) {
    const character = path.charAt(position);
    if (character === quote) break;
    if (character !== '\\') {
      value += character;
      position += 1;
      continue;
    }
    const [decoded, length] = readEscape(path, position, close);
    value += decoded;
    position += length;
  }
  // The bracket scanner only stops outside quotes, so the closing quote is always found before `close`.
  if (position + 1 !== close) {
    throw invalidModulePath(
      path,
      `invalid string index: unexpected ${describeCharacter(characterAt(path, position + 1))} after the closing quote`,
      position + 1,
      'A quoted key fills its brackets on its own: [\'key\'] or ["key"].',
    );
  }
  return value;
}

/** Decodes the escape starting at the backslash `path[start]`; returns the text and the length consumed. */
function readEscape(path: string, start: number, close: number): [string, number] {
  const letter = path.charAt(start + 1);
  const simple = simpleEscapes.get(letter);
  if (simple !== undefined) return [simple, 2];
  if (letter === 'x') return [hexEscape(path, start, start + 2, start + 4, close), 4];
  if (letter === 'u' && path.charAt(start + 2) === '{') {
    const end = path.indexOf('}', start + 3);
    if (end >= 0 && end < close) return [hexEscape(path, start, start + 3, end, close), end + 1 - start];
  } else if (letter === 'u') {
    return [hexEscape(path, start, start + 2, start + 6, close), 6];
  }
  throw badEscape(path, start);
}

function hexEscape(path: string, start: number, from: number, to: number, close: number): string {
  const digits = path.slice(from, Math.min(to, close));
  const code = HEX_DIGITS.test(digits) && digits.length === to - from ? Number.parseInt(digits, 16) : NaN;
  if (!(code <= 0x10ffff)) throw badEscape(path, start);
  return String.fromCodePoint(code);
}

function badEscape(path: string, start: number): InvalidPathError {
  return invalidModulePath(
    path,
    `invalid string index: invalid escape '${path.slice(start, start + 2)}'`,
    start,
    ESCAPES_HINT,
  );
}

/**
 * Writes a mapping key as a module path literal: single quotes, with backslashes, quotes and control
 * characters escaped, so that the parser reads back exactly `key`.
 *
 * @example
 * quoteModulePathKey("it's");  // "'it\\'s'"
 * quoteModulePathKey('a]b:c'); // "'a]b:c'"
 */
export function quoteModulePathKey(key: string): string {
  let quoted = "'";
  for (const character of key) {
    const code = character.codePointAt(0) ?? 0;
    if (character === '\\' || character === "'") quoted += `\\${character}`;
    else if (character === '\n') quoted += '\\n';
    else if (character === '\r') quoted += '\\r';
    else if (character === '\t') quoted += '\\t';
    else if (code < 0x20 || code === 0x7f) quoted += `\\x${code.toString(16).padStart(2, '0')}`;
    else quoted += character;
  }
  return `${quoted}'`;
}
