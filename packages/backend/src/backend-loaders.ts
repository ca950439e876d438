import * as tf from '@tensorflow/tfjs-core';

import { BackendUnavailableError } from './backend-unavailable-error.js';

/**
 * The runtimes tdhook can run on, fastest first (webgpu is opt-in).
 *
 * @example
 * const choice: BackendName = 'wasm';
 */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu' | 'webgpu';

/**
 * Every name accepted by `initBackend({ backend })` and `TDHOOK_BACKEND`.
 *
 * @example
 * backendNames.includes(process.env.TDHOOK_BACKEND as BackendName);
 */
export const backendNames: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu', 'webgpu'];

const browserOnly: Readonly<Record<string, string>> = {
  webgl: 'WebGL is a browser backend, which initBackend does not load',
};

const show = (value: unknown): string =>
  typeof value === 'string' ? `'${value}'` : value === null ? 'null' : typeof value;

/**
 * `value` if it names a backend tdhook loads (or `'auto'` where `allowAuto`), else a
 * {@link BackendUnavailableError} that lists the names. Plain JavaScript can pass any string (`'webgl'`);
 * unchecked, the next TF.js op would fail far away with a misleading message. `subject` words the request
 * from its shown value, e.g. `(shown) => \`initBackend({ backend: ${shown} })\``.
 *
 * @example
 * const name = checkBackendName(options.backend, (shown) => `initBackend({ backend: ${shown} })`, true);
 */
export function checkBackendName(
  value: unknown,
  subject: (shown: string) => string,
  allowAuto: true,
): BackendName | 'auto';
export function checkBackendName(
  value: unknown,
  subject: (shown: string) => string,
  allowAuto: false,
): BackendName;
export function checkBackendName(
  value: unknown,
  subject: (shown: string) => string,
  allowAuto: boolean,
): BackendName | 'auto' {
  if ((allowAuto && value === 'auto') || (backendNames as readonly unknown[]).includes(value)) {
    return value as BackendName | 'auto';
  }
  const hint = typeof value === 'string' ? browserOnly[value.toLowerCase()] : undefined;
  throw new BackendUnavailableError(
    typeof value === 'string' ? value : String(value),
    `${subject(show(value))} is not a backend tdhook knows${hint === undefined ? '' : ` (${hint})`}. ` +
      `Use one of: ${[...(allowAuto ? ['auto'] : []), ...backendNames].join(', ')}.`,
  );
}

const nativeInstallHint =
  'It downloads libtensorflow 2.9.1 from Google’s CDN while installing, so it needs internet access (or a mirror through ' +
  'TFJS_NODE_CDN_STORAGE / TFJS_NODE_BASE_URI); install it at the same version as tfjs-core (4.22.0).';

const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

// Variable specifiers: optional peers are resolved at run time only and never bundled.
const importOptional = (specifier: string): Promise<unknown> => import(specifier);

/**
 * True for the error a package that is not installed gives: Node's (ESM and CJS resolution), or a bundler's
 * that loads the module instead (vite, in tests, says "Could not resolve" without a code).
 */
function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return true;
  return error instanceof Error && /^(Cannot find (package|module)|Could not resolve) /.test(error.message);
}

async function setActive(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
}

async function loadNative(name: 'tensorflow-gpu' | 'tensorflow'): Promise<void> {
  const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  try {
    // tfjs-node registers the 'tensorflow' backend (priority 3) and activates it on import.
    await importOptional(pkg);
    await setActive('tensorflow');
  } catch (error) {
    const gpu =
      name === 'tensorflow-gpu' ? ' The GPU build needs an NVIDIA GPU with CUDA 11.2 and cuDNN 8.1.' : '';
    throw new BackendUnavailableError(
      name,
      `The ${name} backend is not available: ${pkg} could not be loaded (${firstLine(error)}). ` +
        `Install it with \`npm install ${pkg}@4.22.0\`. ${nativeInstallHint}${gpu}`,
      { cause: error, ...(isNotFound(error) ? { notInstalled: pkg } : {}) },
    );
  }
}

async function loadWebgpu(): Promise<void> {
  try {
    // dawn.node (the `webgpu` package) provides navigator.gpu in Node; the TF.js backend registers only if it exists.
    const dawn = (await importOptional('webgpu')) as { create(options: string[]): unknown; globals: object };
    Object.assign(globalThis, dawn.globals);
    Object.assign(globalThis, {
      navigator: { ...(globalThis as { navigator?: object }).navigator, gpu: dawn.create([]) },
    });
    await importOptional('@tensorflow/tfjs-backend-webgpu');
    await setActive('webgpu');
  } catch (error) {
    throw new BackendUnavailableError(
      'webgpu',
      `The webgpu backend is not available (${firstLine(error)}). It is opt-in: install \`webgpu\` (dawn.node) and ` +
        '`@tensorflow/tfjs-backend-webgpu@4.22.0`, on a machine with a Vulkan driver for its GPU.',
      { cause: error },
    );
  }
}

/**
 * Loads and activates one backend, or throws a {@link BackendUnavailableError} that says why and how to
 * install it.
 *
 * @example
 * await loadBackend('wasm');
 */
export async function loadBackend(name: BackendName): Promise<void> {
  const checked = checkBackendName(name, (shown) => `loadBackend(${shown})`, false);
  switch (checked) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return loadNative(checked);
    case 'webgpu':
      return loadWebgpu();
    case 'wasm':
    case 'cpu':
      try {
        // cpu is always registered: patches are checked against it.
        await import('@tensorflow/tfjs-backend-cpu');
        if (checked === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
        await setActive(checked);
      } catch (error) {
        throw new BackendUnavailableError(
          checked,
          `The ${checked} backend failed to initialise: ${firstLine(error)}`,
          { cause: error },
        );
      }
  }
}
