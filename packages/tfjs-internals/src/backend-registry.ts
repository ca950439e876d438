// The engine's backend tables: `registryFactory` (registered factories), `registry` (initialised backends)
// and `backendName` (the active one). tfjs-core's public functions that read them initialise a backend as a
// side effect (`tf.findBackend`, `tf.getBackend`); these do not.
import type * as tf from '@tensorflow/tfjs-core';

import { engine } from './engine-access.js';
import type { BackendRegistration } from './engine-internals.js';

export type { BackendRegistration } from './engine-internals.js';

/**
 * The factory and priority a backend was registered with (`tf.registerBackend`), or undefined.
 *
 * @example
 * const registration = backendRegistration('wasm');
 * if (registration) tf.registerBackend('wasm', registration.factory, registration.priority);
 */
export function backendRegistration(name: string): BackendRegistration | undefined {
  return engine().registryFactory[name];
}

/**
 * The backend `name` if it is already initialised, without initialising it (`tf.findBackend` would).
 *
 * @example
 * initialisedBackend('wasm')?.numDataIds(); // tensors living on wasm, if it started
 */
export function initialisedBackend(name: string): tf.KernelBackend | undefined {
  return engine().registry[name];
}

/**
 * The active backend's name, or null when none is set yet (`tf.getBackend()` would pick and start one).
 *
 * @example
 * const wasActive = activeBackendName() === 'wasm';
 */
export function activeBackendName(): string | null {
  return engine().backendName ?? null;
}
