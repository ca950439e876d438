import { describe, expect, it } from 'vitest';

import { InvalidPathError } from '../errors.js';
import {
  formatModulePath,
  formatModulePathAttribute,
  formatModulePathSegment,
} from './module-path-format.js';
import { quoteModulePathKey } from './module-path-key-literal.js';
import { parseModulePath } from './module-path-parser.js';
import type { ModulePathSegment } from './module-path-types.js';

describe('formatModulePath', () => {
  it.each([
    ['', ''],
    ['fc2', 'fc2'],
    ['encoder.layers[-1].attention', 'encoder.layers[-1].attention'],
    ['m1.0', 'm1.0'],
    ['[0].fc', '[0].fc'],
    ['blocks[0:3:2]', 'blocks[0:3:2]'],
    ['items[::2]', 'items[::2]'],
    ['items[-1:]', 'items[-1:]'],
    ['items[1:2:]', 'items[1:2]'],
    ['items[:]', 'items[:]'],
    ["heads['query']", "heads['query']"],
    ['data["second"]', "data['second']"],
    ["data['a]b:c']", "data['a]b:c']"],
    [String.raw`data["it's \"x\"\n"]`, String.raw`data['it\'s "x"\n']`],
    ['<block/0>.mlp', '<block/0>.mlp'],
    ['<b2/m><s/m>[0]', '<b2/m>.<s/m>[0]'],
    ["child.<b3/m>['k']", "child.<b3/m>['k']"],
    ['<plain>', '<plain>'],
    ['items[-0]', 'items[0]'],
  ])('writes %j as %j, which parses back to the same segments', (path, canonical) => {
    const { segments } = parseModulePath(path);
    const written = formatModulePath(segments);
    expect(written).toBe(canonical);
    expect(parseModulePath(written).segments).toStrictEqual(segments);
  });

  it('escapes names that are not plain, and any key', () => {
    const segments: ModulePathSegment[] = [
      { kind: 'attribute', name: 'block 0', escaped: false },
      { kind: 'attribute', name: 'a.b', escaped: false },
      { kind: 'key', key: "back\\slash 'quoted'\t\u0001" },
    ];
    const written = formatModulePath(segments);
    expect(written).toBe(String.raw`<block 0>.<a.b>['back\\slash \'quoted\'\t\x01']`);
    expect(parseModulePath(written).segments).toStrictEqual([
      { kind: 'attribute', name: 'block 0', escaped: true },
      { kind: 'attribute', name: 'a.b', escaped: true },
      { kind: 'key', key: "back\\slash 'quoted'\t\u0001" },
    ]);
  });

  it('writes single segments and names on their own', () => {
    expect(formatModulePathSegment({ kind: 'slice', start: 1, stop: 3 })).toBe('[1:3]');
    expect(formatModulePathSegment({ kind: 'slice', step: -1 })).toBe('[::-1]');
    expect(formatModulePathSegment({ kind: 'index', index: -2 })).toBe('[-2]');
    expect(formatModulePathSegment({ kind: 'attribute', name: 'x', escaped: false })).toBe('x');
    expect(formatModulePathAttribute('block/0')).toBe('<block/0>');
    expect(formatModulePathAttribute('fc2', true)).toBe('<fc2>');
    expect(quoteModulePathKey("it's")).toBe(String.raw`'it\'s'`);
  });

  it('refuses segments no path can express', () => {
    const cases: [ModulePathSegment[], string][] = [
      [
        [{ kind: 'attribute', name: 'a>b', escaped: true }],
        `Cannot write a module path: the child name "a>b" is empty or contains '<' or '>'. ` +
          'Module paths can only name children whose names are non-empty and free of angle brackets.',
      ],
      [[{ kind: 'attribute', name: '', escaped: false }], 'the child name "" is empty'],
      [[{ kind: 'index', index: 1.5 }], 'index 1.5 is not an integer'],
      [[{ kind: 'slice', start: Number.NaN }], 'slice start NaN is not an integer'],
      [[{ kind: 'slice', step: 0 }], 'slice step cannot be zero'],
      [
        [{ kind: 'slice' }, { kind: 'index', index: 0 }],
        'segment 0 is a slice, and a slice must be the last segment',
      ],
    ];
    for (const [segments, message] of cases) {
      expect(() => formatModulePath(segments)).toThrow(InvalidPathError);
      expect(() => formatModulePath(segments)).toThrow(message);
    }
  });
});
