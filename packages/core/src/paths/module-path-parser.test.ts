import { describe, expect, it } from 'vitest';

import { InvalidPathError, TdhookError } from '../errors.js';
import { parseModulePath } from './module-path-parser.js';
import type { ModulePathSegment } from './module-path-types.js';

const attr = (name: string, escaped = false): ModulePathSegment => ({ kind: 'attribute', name, escaped });
const index = (value: number): ModulePathSegment => ({ kind: 'index', index: value });
const key = (value: string): ModulePathSegment => ({ kind: 'key', key: value });

const HINT =
  "A module path joins child names with '.' (names of letters, digits and '_', or any name escaped as " +
  "<block/0>) and adds indexes: [0], [-1], ['key'] or [1:3]; nothing in it is evaluated.";

function parseError(path: string): InvalidPathError {
  try {
    parseModulePath(path);
  } catch (error) {
    if (error instanceof InvalidPathError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(path)} to be rejected`);
}

describe('parseModulePath', () => {
  it('reads the empty path as no segments', () => {
    expect(parseModulePath('')).toStrictEqual({ source: '', segments: [], positions: [] });
  });

  it('reads names joined by dots, digits included, with the position of each segment', () => {
    const parsed = parseModulePath('encoder.layers.0.fc_2');
    expect(parsed.segments).toStrictEqual([attr('encoder'), attr('layers'), attr('0'), attr('fc_2')]);
    expect(parsed.positions).toStrictEqual([0, 8, 15, 17]);
    expect(parsed.source).toBe('encoder.layers.0.fc_2');
  });

  it('reads integer indexes, negative ones and a leading index; -0 is 0', () => {
    expect(parseModulePath('items[0]').segments).toStrictEqual([attr('items'), index(0)]);
    expect(parseModulePath('items[-1][-2]').segments).toStrictEqual([attr('items'), index(-1), index(-2)]);
    const leading = parseModulePath('[0].fc');
    expect(leading.segments).toStrictEqual([index(0), attr('fc')]);
    expect(leading.positions).toStrictEqual([0, 4]);
    expect(Object.is((parseModulePath('[-0]').segments[0] as { index: number }).index, 0)).toBe(true);
  });

  it('reads quoted keys in either quotes, with ] and : inside', () => {
    expect(parseModulePath("data['first']").segments).toStrictEqual([attr('data'), key('first')]);
    expect(parseModulePath('data["second"]').segments).toStrictEqual([attr('data'), key('second')]);
    expect(parseModulePath("data['a]b:c']").segments).toStrictEqual([attr('data'), key('a]b:c')]);
    expect(parseModulePath('data["it\'s"]').segments).toStrictEqual([attr('data'), key("it's")]);
    expect(parseModulePath("data['<x>.[0]']").segments).toStrictEqual([attr('data'), key('<x>.[0]')]);
  });

  it('decodes the escapes JavaScript and Python share', () => {
    const decoded = (literal: string): string =>
      (parseModulePath(`d[${literal}]`).segments[1] as { key: string }).key;
    expect(decoded(String.raw`'it\'s'`)).toBe("it's");
    expect(decoded(String.raw`"say \"hi\""`)).toBe('say "hi"');
    expect(decoded(String.raw`'back\\slash'`)).toBe('back\\slash');
    expect(decoded(String.raw`'a\nb\tc\rd'`)).toBe('a\nb\tc\rd');
    expect(decoded(String.raw`'\u0041\x42\u{1F600}'`)).toBe('AB😀');
    expect(decoded(String.raw`'\\]'`)).toBe('\\]');
  });

  it('reads integer slices with optional parts; a slice ends the path', () => {
    const slice = (path: string): ModulePathSegment | undefined => parseModulePath(path).segments.at(-1);
    expect(slice('items[1:3]')).toStrictEqual({ kind: 'slice', start: 1, stop: 3 });
    expect(slice('items[-1:]')).toStrictEqual({ kind: 'slice', start: -1 });
    expect(slice('items[:2]')).toStrictEqual({ kind: 'slice', stop: 2 });
    expect(slice('items[::2]')).toStrictEqual({ kind: 'slice', step: 2 });
    expect(slice('items[0:3:2]')).toStrictEqual({ kind: 'slice', start: 0, stop: 3, step: 2 });
    expect(slice('items[3:0:-1]')).toStrictEqual({ kind: 'slice', start: 3, stop: 0, step: -1 });
    expect(slice('items[:]')).toStrictEqual({ kind: 'slice' });
    expect(slice('items[1:2:]')).toStrictEqual({ kind: 'slice', start: 1, stop: 2 });
  });

  it('reads escaped names, after a dot, adjacent, or after an index', () => {
    expect(parseModulePath('<block0/module>').segments).toStrictEqual([attr('block0/module', true)]);
    expect(parseModulePath('<a.b>').segments).toStrictEqual([attr('a.b', true)]);
    expect(parseModulePath('<b1/m>[0]').segments).toStrictEqual([attr('b1/m', true), index(0)]);
    expect(parseModulePath('<a><b>[0]').segments).toStrictEqual([attr('a', true), attr('b', true), index(0)]);
    expect(parseModulePath("child.<b3/m>['k']").segments).toStrictEqual([
      attr('child'),
      attr('b3/m', true),
      key('k'),
    ]);
    expect(parseModulePath('items[0]<x y>').segments).toStrictEqual([
      attr('items'),
      index(0),
      attr('x y', true),
    ]);
    const dotted = parseModulePath('<b2/m>.<s/m>[0]');
    expect(dotted.segments).toStrictEqual(parseModulePath('<b2/m><s/m>[0]').segments);
    expect(dotted.positions).toStrictEqual([0, 7, 12]);
  });

  it('returns frozen results', () => {
    const parsed = parseModulePath("a[0]['k']");
    expect(Object.isFrozen(parsed)).toBe(true);
    expect(Object.isFrozen(parsed.segments)).toBe(true);
    expect(Object.isFrozen(parsed.positions)).toBe(true);
    expect(parsed.segments.every((segment) => Object.isFrozen(segment))).toBe(true);
  });

  it('rejects what is not a string', () => {
    for (const [value, kind] of [
      [42, 'number'],
      [null, 'null'],
      [['a'], 'an array'],
      [undefined, 'undefined'],
    ] as const) {
      const attempt = (): unknown => parseModulePath(value as unknown as string);
      expect(attempt).toThrow(InvalidPathError);
      expect(attempt).toThrow(`Invalid module path: module paths are strings, got ${kind}. ${HINT}`);
    }
  });

  it('reports malformed paths with the path, the position and what was expected, code E_INVALID_PATH', () => {
    const error = parseError('items[0');
    expect(TdhookError.is(error)).toBe(true);
    expect(error.code).toBe('E_INVALID_PATH');
    expect(error.where).toBe('position 7');
    expect(error.message).toBe(
      "Invalid module path 'items[0': missing closing ']' for the index opened at position 5 (at position 7). " +
        "Close the index with ']': [0], ['key'] or [1:3].",
    );
  });

  it.each([
    ['<', "missing closing '>' for the escaped attribute opened at position 0", 1],
    ['a.<b', "missing closing '>' for the escaped attribute opened at position 2", 4],
    ['<<item>', "invalid escaped attribute '<<item>': it contains '<'", 1],
    ['<>', "invalid escaped attribute '<>': it is empty", 0],
    ['!', "expected an attribute or index, got '!'", 0],
    ['.a', "expected an attribute or index, got '.'", 0],
    ['a..b', "expected an attribute after '.', got '.'", 2],
    ['items.', "a path cannot end with '.'", 5],
    ['items.[0]', "expected an attribute after '.', got '['", 6],
    ["items['abc", `missing closing "'" for the string opened at position 6`, 10],
    ['items["abc]', `missing closing '"' for the string opened at position 6`, 11],
    ["items['a]'", "missing closing ']' for the index opened at position 5", 10],
    [String.raw`items['\x']`, String.raw`invalid string index: invalid escape '\x'`, 7],
    [String.raw`items['\q']`, String.raw`invalid string index: invalid escape '\q'`, 7],
    [String.raw`items['\u12']`, String.raw`invalid string index: invalid escape '\u'`, 7],
    [String.raw`items['\u{110000}']`, String.raw`invalid string index: invalid escape '\u'`, 7],
    ["items['a' 'b']", "invalid string index: unexpected ' ' after the closing quote", 9],
    ['items[a:]', "slices contain integers only, got 'a'", 6],
    ['items[0:1.5]', "slices contain integers only, got '1.5'", 8],
    ['items[1:2:3:4]', "slices contain at most two ':' (start:stop:step)", 11],
    ['items[1::0]', 'slice step cannot be zero', 9],
    ['items[0:2].a', "a slice must be the last segment, got '.' after it", 10],
    ['items[:][0]', "a slice must be the last segment, got '[' after it", 8],
    ['items[1.5]', "indexes must be integers, slices, or quoted strings, got '1.5'", 6],
    ['items[ 0 ]', "indexes must be integers, slices, or quoted strings, got ' 0 '", 6],
    ['items[]', 'indexes must be integers, slices, or quoted strings, got an empty index', 6],
    ['items[99999999999999999999]', 'index 99999999999999999999 is too large', 6],
    ['a\nb', 'unexpected character U+000A', 1],
  ])('rejects %j: %s', (path, problem, position) => {
    const error = parseError(path);
    expect(
      error.message.startsWith(`Invalid module path '${path}': ${problem} (at position ${position}). `),
    ).toBe(true);
    expect(error.where).toBe(`position ${position}`);
  });

  it('rejects code of every kind while parsing, with the grammar as the fix', () => {
    expect(parseError('fn()').message).toBe(
      `Invalid module path 'fn()': unexpected character '(' (at position 2). ${HINT}`,
    );
    expect(parseError('items[0] + 1').message).toBe(
      `Invalid module path 'items[0] + 1': unexpected character ' ' (at position 8). ${HINT}`,
    );
    expect(parseError('[x for x in items]').message).toBe(
      "Invalid module path '[x for x in items]': indexes must be integers, slices, or quoted strings, " +
        `got 'x for x in items' (at position 1). ${HINT}`,
    );
    for (const code of ["__import__('os')", 'a;b', 'a=1', 'items[0]()', '`x`', 'a?.b', 'a[b[0]]', 'a.b()']) {
      expect(() => parseModulePath(code), code).toThrow(InvalidPathError);
    }
  });

  it('suggests the fix that fits: a quoted key, or the index without its dot', () => {
    expect(parseError('items[foo]').message).toBe(
      "Invalid module path 'items[foo]': indexes must be integers, slices, or quoted strings, got 'foo' " +
        "(at position 6). Quote a mapping key: ['foo']; name a child after a dot: .foo.",
    );
    expect(parseError('items.[0]').fix).toBe(
      "An index follows the module it indexes without a dot: 'items[0]'.",
    );
    expect(parseError('items.').fix).toBe("Remove the trailing '.': 'items'.");
    expect(parseError(String.raw`d['\x']`).fix).toBe(
      String.raw`Quoted keys accept the escapes \\, \', \", \n, \r, \t, \b, \f, \v, \xHH, \uHHHH and \u{H…}.`,
    );
  });
});
