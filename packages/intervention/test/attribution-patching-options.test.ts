// attributionPatching's options: unknown names are typed errors that say where they went.
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { InvalidValueError } from '@tdhook/core';

import { attributionPatching, headSites, logitDifference } from '../src/index.js';

describe('attributionPatching options', () => {
  const sites = headSites({ nLayers: 1, nHeads: 2 });
  const metric = logitDifference({ answer: 1, versus: 0 });

  it('refuses an unknown option with a hint, before anything runs', () => {
    const call = (extra: Record<string, unknown>): unknown => {
      try {
        attributionPatching({ sites, metric, ...extra });
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const snake = call({ patch_key: 'x' });
    expect(snake).toBeInstanceOf(InvalidValueError);
    expect((snake as Error).message).toMatch(/patch_key[\s\S]*patchKey/);
    expect((call({ maxRowsPerPass: 8 }) as Error).message).toMatch(/nothing to chunk/);
    expect(call({})).toBeUndefined();
  });

  it('refuses an options value that is not an object', () => {
    expect(() => attributionPatching(null as unknown as Parameters<typeof attributionPatching>[0])).toThrow(
      InvalidValueError,
    );
  });
});
