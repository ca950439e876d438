import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, inject, it } from 'vitest';

import { activeBackendName, backendRegistration, initialisedBackend } from './backend-registry.js';

const backend = inject('tdhookBackend');

describe('the engine backend tables', () => {
  it('reads the registered factories, the initialised backends and the active one without starting any', () => {
    expect(activeBackendName()).toBe(backend);
    expect(activeBackendName()).toBe(tf.getBackend());
    const registration = backendRegistration('cpu');
    expect(typeof registration?.factory).toBe('function');
    expect(typeof registration?.priority).toBe('number');
    expect(initialisedBackend(backend)).toBe(tf.backend());
    expect(backendRegistration('no-such-backend')).toBeUndefined();
    expect(initialisedBackend('no-such-backend')).toBeUndefined();
  });
});
