import { describe, expect, it } from 'vitest';

import { InvalidKeyError, TdhookError } from './errors.js';

describe('TdhookError', () => {
  it('composes what, where and fix into the message and keeps them as fields', () => {
    const error = new TdhookError({
      code: 'E_TEST',
      what: 'Something failed',
      where: 'fc2',
      fix: 'Try again.',
    });
    expect(error.message).toBe('Something failed (at fc2). Try again.');
    expect(error.code).toBe('E_TEST');
    expect(error.where).toBe('fc2');
    expect(error.fix).toBe('Try again.');
    expect(error.name).toBe('TdhookError');
    expect(new TdhookError({ code: 'E_TEST', what: 'Bare' }).message).toBe('Bare.');
  });

  it('keeps the cause', () => {
    const cause = new Error('inner');
    expect(new TdhookError({ code: 'E_TEST', what: 'Outer', cause }).cause).toBe(cause);
  });

  it('recognises errors from another copy of the package by brand, not by class', () => {
    const foreign = Object.assign(new Error('from another copy'), {
      [Symbol.for('tdhook.error')]: true,
      code: 'E_X',
    });
    expect(foreign instanceof TdhookError).toBe(false);
    expect(TdhookError.is(foreign)).toBe(true);
    expect(TdhookError.is(new Error('plain'))).toBe(false);
    expect(TdhookError.is('E_INVALID_KEY')).toBe(false);
    expect(TdhookError.is(null)).toBe(false);
  });

  it('gives subclasses their code and name', () => {
    const error = new InvalidKeyError({ what: 'Bad key' });
    expect(error).toBeInstanceOf(TdhookError);
    expect(error.code).toBe('E_INVALID_KEY');
    expect(error.name).toBe('InvalidKeyError');
  });
});
