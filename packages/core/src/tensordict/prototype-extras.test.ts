import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';

import { isTensorDict } from './brand.js';
import { installPrototypeExtras } from './prototype-extras.js';
import { TensorDict } from './tensor-dict.js';

describe('installPrototypeExtras', () => {
  it('puts the brand and the inspect hook on the prototype, not on instances', () => {
    using td = new TensorDict();
    expect(isTensorDict(td)).toBe(true);
    expect(Object.getOwnPropertySymbols(td)).toEqual([]);
    expect(isTensorDict(Object.create(TensorDict.prototype))).toBe(true);
    expect(inspect(td)).toBe('TensorDict(batchShape=[])');
  });

  it('adds a Symbol.dispose method only where the prototype has none, once', () => {
    let disposed = 0;
    let calls = 0;
    const prototype = {
      toString: () => 'fake',
      dispose: () => {
        disposed++;
      },
    };
    installPrototypeExtras(prototype);
    installPrototypeExtras(prototype);
    (prototype as unknown as Disposable)[Symbol.dispose]();
    expect(disposed).toBe(1);
    expect(isTensorDict(prototype)).toBe(true);

    const withDispose = {
      toString: () => 'own',
      dispose: () => undefined,
      [Symbol.dispose]: () => {
        calls++;
      },
    };
    installPrototypeExtras(withDispose);
    withDispose[Symbol.dispose]();
    expect(calls).toBe(1);
  });
});
