import { describe, expect, it } from 'vitest';

import { InvalidPathError } from '../errors.js';
import { modulePathToName } from './module-path-name.js';

describe('modulePathToName', () => {
  it.each([
    ['', ''],
    ['fc2', 'fc2'],
    ['.attr2', 'attr2'],
    ['items[0]', 'items.0'],
    ['data["second"]', 'data.second'],
    ["data['first'].fc", 'data.first.fc'],
    ['<b1/m>[0]', 'b1/m.0'],
    ['<b2/m>.<s/m>[0]', 'b2/m.s/m.0'],
    ['<b2/m><s/m>[0]', 'b2/m.s/m.0'],
    ['layers.1name', 'layers.1name'],
    ['a..b.', 'a.b'],
  ])('turns %j into %j', (path, name) => {
    expect(modulePathToName(path)).toBe(name);
  });

  it.each(['[-1]', 'layers[-1].fc', '[1:3]', ':x', '(arg)', ')x', 'fn('])(
    'keeps %j, whose meaning a dotted name would lose',
    (path) => {
      expect(modulePathToName(path)).toBe(path);
    },
  );

  it('rejects what is not a string', () => {
    expect(() => modulePathToName(3 as unknown as string)).toThrow(InvalidPathError);
    expect(() => modulePathToName(3 as unknown as string)).toThrow('module paths are strings, got number');
  });
});
