import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { TfjsInternalsError } from './errors.js';

describe('TfjsInternalsError', () => {
  const error = new TfjsInternalsError({
    code: 'E_TFJS_INTERNALS',
    what: 'engine.state.activeTape is missing',
    where: 'tfjs-internals self-check, engine',
    fix: 'Install a supported tfjs-core.',
  });

  it('says what, where and how to fix, and names the installed tfjs-core', () => {
    expect(error.message).toBe(
      'engine.state.activeTape is missing (at tfjs-internals self-check, engine). Install a supported tfjs-core.',
    );
    expect(error.code).toBe('E_TFJS_INTERNALS');
    expect(error.where).toBe('tfjs-internals self-check, engine');
    expect(error.fix).toBe('Install a supported tfjs-core.');
    expect(error.tfjsCoreVersion).toBe(tf.version_core);
    expect(error.name).toBe('TfjsInternalsError');
  });

  it('is recognised by isInstance across package copies, and by @tdhook/core as a tdhook error', () => {
    expect(TfjsInternalsError.isInstance(error)).toBe(true);
    // What a second copy of the package would create: another class, the same registry-wide marker.
    const copy = Object.defineProperty(new Error('x'), Symbol.for('tdhook.tfjs-internals.error'), {
      value: true,
    });
    expect(TfjsInternalsError.isInstance(copy)).toBe(true);
    expect(TfjsInternalsError.isInstance(new Error('plain'))).toBe(false);
    expect(TfjsInternalsError.isInstance(null)).toBe(false);
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('tdhook.error')]).toBe(true);
    expect(() => {
      throw error;
    }).toThrowTdhookError('E_TFJS_INTERNALS', /activeTape is missing/);
  });

  it('keeps the cause', () => {
    const cause = new Error('inner');
    const wrapped = new TfjsInternalsError({ code: 'E_TFJS_NO_GRADIENT', what: 'No gradient', cause });
    expect(wrapped.cause).toBe(cause);
    expect(wrapped.message).toBe('No gradient.');
  });
});
