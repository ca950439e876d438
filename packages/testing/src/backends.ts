import * as tf from '@tensorflow/tfjs-core';

/** The TF.js backends the test suite runs on: wasm is the default runtime, cpu the reference. */
export type TestBackend = 'wasm' | 'cpu';

const knownBackends: readonly TestBackend[] = ['wasm', 'cpu'];

/** The environment variable that picks the backends, e.g. `TDHOOK_TEST_BACKEND=cpu` or `wasm,cpu`. */
export const testBackendVariable = 'TDHOOK_TEST_BACKEND';

/** What runs when the variable is unset: wasm first, then the same suite again on cpu. */
export const defaultTestBackends: readonly TestBackend[] = ['wasm', 'cpu'];

/**
 * Reads the backends to test from a comma-separated list such as `"wasm,cpu"`.
 *
 * @example
 * parseTestBackends(process.env.TDHOOK_TEST_BACKEND); // ['wasm', 'cpu'] when unset
 */
export function parseTestBackends(value: string | undefined): TestBackend[] {
  if (value === undefined || value.trim() === '') return [...defaultTestBackends];
  const names = value.split(',').map((name) => name.trim().toLowerCase());
  const unknown = names.filter((name) => !(knownBackends as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `${testBackendVariable}=${value}: unknown backend ${unknown.join(', ')}. ` +
        `Use a comma-separated list of ${knownBackends.join(', ')}.`,
    );
  }
  return [...new Set(names as TestBackend[])];
}

const loaders: Record<TestBackend, () => Promise<unknown>> = {
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
};

/**
 * Registers and activates one backend for a test process. cpu is always registered too, because reference
 * checks and fallbacks compare against it.
 *
 * @example
 * await useTestBackend('wasm');
 */
export async function useTestBackend(name: TestBackend): Promise<void> {
  await loaders.cpu();
  await loaders[name]();
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) {
    throw new Error(
      `Could not initialise the TF.js ${name} backend for the tests (active: ${tf.getBackend()}).`,
    );
  }
  await tf.ready();
}
