import { InvalidKeyError } from './errors.js';

/**
 * A TensorDict key: a string for a top-level entry, or a tuple of strings for a nested one. `'input'` and
 * `['input']` name the same entry. Segments may contain dots and brackets, so module paths can be keys:
 * `['attr', 'layers[-1].fc']`.
 *
 * @example
 * const attribution: Key = ['attr', 'input'];
 */
export type Key = string | readonly [string, ...string[]];

/**
 * The canonical form of a {@link Key}: always a non-empty, frozen tuple of segments.
 *
 * @example
 * const path: KeyPath = toKeyPath('input'); // ['input']
 */
export type KeyPath = readonly [string, ...string[]];

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `the empty string`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return value === null ? 'null' : typeof value;
}

function invalid(value: unknown, where: string | undefined, detail: string): InvalidKeyError {
  return new InvalidKeyError({
    what: `Invalid key ${safeFormat(value)}: ${detail}`,
    ...(where === undefined ? {} : { where }),
    fix: "A key is a non-empty string ('input') or a non-empty array of non-empty strings (['attr', 'input']).",
  });
}

// Typed as it behaves: JSON.stringify returns undefined for undefined and functions.
const stringify: (value: unknown) => string | undefined = JSON.stringify;

function safeFormat(value: unknown): string {
  try {
    return stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * True if `value` is a valid {@link Key}.
 *
 * @example
 * isKey(['attr', 'input']); // true
 * isKey(['attr', 3]);       // false
 */
export function isKey(value: unknown): value is Key {
  if (typeof value === 'string') return value.length > 0;
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((segment: unknown) => typeof segment === 'string' && segment.length > 0)
  );
}

/**
 * Checks a key and returns its canonical, frozen tuple form. Throws {@link InvalidKeyError} (code
 * `E_INVALID_KEY`), naming `where` if given, for anything else.
 *
 * @example
 * toKeyPath('input');            // ['input']
 * toKeyPath(['attr', 'input']);  // ['attr', 'input']
 * toKeyPath([], 'outKeys[1]');   // throws: Invalid key []: ... (at outKeys[1]).
 */
export function toKeyPath(key: Key, where?: string): KeyPath {
  const value: unknown = key;
  if (typeof value === 'string') {
    if (value.length === 0) throw invalid(value, where, 'it is the empty string');
    return Object.freeze([value]) as unknown as KeyPath;
  }
  if (!Array.isArray(value)) throw invalid(value, where, `it is ${describeValue(value)}`);
  if (value.length === 0) throw invalid(value, where, 'it has no segments');
  const segments: unknown[] = value;
  segments.forEach((segment, index) => {
    if (typeof segment !== 'string')
      throw invalid(value, where, `segment ${index} is ${describeValue(segment)}`);
    if (segment.length === 0) throw invalid(value, where, `segment ${index} is the empty string`);
  });
  return Object.freeze([...(segments as string[])]) as unknown as KeyPath;
}

/**
 * A string that identifies a key uniquely, for use as a `Map` key. Distinct keys never collide, even when
 * segments contain dots or quotes.
 *
 * @example
 * keyId(['attr', 'input']) === keyId(['attr', 'input']); // true
 * keyId('a.b') === keyId(['a', 'b']);                   // false
 */
export function keyId(key: Key): string {
  return JSON.stringify(toKeyPath(key));
}

/**
 * How keys are shown in messages and printed TensorDicts: `"input"` or `["attr","input"]`.
 *
 * @example
 * formatKey(['attr', 'fc2']); // '["attr","fc2"]'
 */
export function formatKey(key: Key): string {
  const path = toKeyPath(key);
  return path.length === 1 ? JSON.stringify(path[0]) : JSON.stringify(path);
}

/**
 * True if both keys name the same entry (`'x'` equals `['x']`).
 *
 * @example
 * keysEqual('input', ['input']); // true
 */
export function keysEqual(a: Key, b: Key): boolean {
  const left = toKeyPath(a);
  const right = toKeyPath(b);
  return left.length === right.length && left.every((segment, index) => segment === right[index]);
}

/**
 * Nests `key` under `prefix`, flattening both into one path.
 *
 * @example
 * joinKeys('attr', 'input');                 // ['attr', 'input']
 * joinKeys(['cache', 'run1'], ['fc2', 'out']); // ['cache', 'run1', 'fc2', 'out']
 */
export function joinKeys(prefix: Key, key: Key): KeyPath {
  return Object.freeze([...toKeyPath(prefix), ...toKeyPath(key)]) as unknown as KeyPath;
}

/**
 * True if `key` is `prefix` or lies under it.
 *
 * @example
 * keyStartsWith(['attr', 'input'], 'attr'); // true
 * keyStartsWith('attribution', 'attr');     // false: segments are compared whole
 */
export function keyStartsWith(key: Key, prefix: Key): boolean {
  const path = toKeyPath(key);
  const head = toKeyPath(prefix);
  return head.length <= path.length && head.every((segment, index) => segment === path[index]);
}

/**
 * Appends a suffix to the last segment only, keeping the nesting.
 *
 * @example
 * appendKeySuffix(['metrics', 'dimension'], '_x'); // ['metrics', 'dimension_x']
 */
export function appendKeySuffix(key: Key, suffix: string): KeyPath {
  const path = toKeyPath(key);
  if (suffix.length === 0) return path;
  return Object.freeze([
    ...path.slice(0, -1),
    `${path[path.length - 1] ?? ''}${suffix}`,
  ]) as unknown as KeyPath;
}
