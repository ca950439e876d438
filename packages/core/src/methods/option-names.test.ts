import { describe, expect, it } from 'vitest';

import { InvalidValueError } from '../errors.js';
import { checkOptionNames } from './option-names.js';

describe('checkOptionNames', () => {
  const known = ['amount', 'modules'];
  const renamed = { amount_to_prune: 'Use amount.' };

  it('accepts known options, and an empty object', () => {
    expect(() => {
      checkOptionNames({ amount: 0.5 }, known, renamed, 'acme/prune');
    }).not.toThrow();
    expect(() => {
      checkOptionNames({}, known, renamed, 'acme/prune');
    }).not.toThrow();
  });

  it("names an unknown option and hints at the original's name", () => {
    expect(() => {
      checkOptionNames({ amount_to_prune: 0.5 }, known, renamed, 'acme/prune');
    }).toThrow(
      expect.objectContaining({
        constructor: InvalidValueError,
        message: expect.stringMatching(
          /acme\/prune has no option "amount_to_prune"[\s\S]*Use amount\./,
        ) as string,
      }),
    );
    expect(() => {
      checkOptionNames({ amuont: 0.5 }, known, renamed, 'acme/prune');
    }).toThrow(/has no option "amuont"[\s\S]*Options: amount, modules\./);
  });

  it('refuses options that are not a plain object, saying what they were', () => {
    expect(() => {
      checkOptionNames(null, known, renamed, 'acme/prune');
    }).toThrow(/acme\/prune options must be an object, got null/);
    expect(() => {
      checkOptionNames([1], known, renamed, 'acme/prune');
    }).toThrow(InvalidValueError);
  });
});
