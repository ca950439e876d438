import { describe, expect, it } from 'vitest';

import { toThrowTdhookError } from './matchers.js';

// A stand-in for an error from @tdhook/core (which this package cannot import): the same registry-wide brand.
const tdhookError = (code: string, message: string): Error =>
  Object.assign(new Error(message), { code, [Symbol.for('tdhook.error')]: true });

describe('toThrowTdhookError', () => {
  it('passes for the right code and message, whichever copy of core threw', () => {
    expect(() => {
      throw tdhookError('E_MISSING_KEY', 'No entry "x"');
    }).toThrowTdhookError('E_MISSING_KEY', /No entry "x"/);
    expect(
      toThrowTdhookError(() => {
        throw tdhookError('E_PLAN', 'bad plan');
      }, 'E_PLAN').pass,
    ).toBe(true);
  });

  it('fails, saying what it got, for another code, another message, a plain error or no error', () => {
    const wrongCode = toThrowTdhookError(() => {
      throw tdhookError('E_PLAN', 'bad plan');
    }, 'E_HOOK');
    expect(wrongCode.pass).toBe(false);
    expect(wrongCode.message()).toBe('expected tdhook error E_HOOK, got E_PLAN: bad plan');
    expect(
      toThrowTdhookError(
        () => {
          throw tdhookError('E_PLAN', 'bad plan');
        },
        'E_PLAN',
        'other',
      ).pass,
    ).toBe(false);
    expect(
      toThrowTdhookError(() => {
        throw new Error('plain');
      }, 'E_PLAN').message(),
    ).toMatch(/got a non-tdhook error: plain/);
    expect(toThrowTdhookError(() => undefined, 'E_PLAN').message()).toMatch(/nothing was thrown/);
  });
});
