import type {} from 'vitest'; // brings the module being augmented below into every program that loads this file
import { defineConfig, type ViteUserConfig } from 'vitest/config';

import { parseTestBackends, testBackendVariable, type TestBackend } from './backends.js';
import type { Tolerance } from './closeness.js';
import type { TensorValues } from './tensor-values.js';

// Typed here, next to the config every package's tsconfig includes, so test files see them.
declare module 'vitest' {
  export interface ProvidedContext {
    /** The TF.js backend this test project runs on. */
    tdhookBackend: TestBackend;
  }
  interface Matchers<T> {
    /** Element-wise closeness: `|actual − expected| ≤ atol + rtol·|expected|` everywhere, shapes equal. */
    toBeCloseToTensor(expected: TensorValues, tolerance?: Tolerance): T;
  }
}

/** Options of {@link defineTdhookVitestConfig}. */
export interface TdhookVitestOptions {
  /** Test file globs, relative to the package. Default: `src/**\/*.test.ts` and `test/**\/*.test.ts`. */
  readonly include?: readonly string[];
  /** Per-test timeout in ms. Default 30 000: cpu-backend runs of model gradients are slow. */
  readonly testTimeout?: number;
}

/**
 * The vitest config of a @tdhook package: one test project per backend named in `TDHOOK_TEST_BACKEND`
 * (wasm, then cpu, by default), forked processes (TF.js keeps global engine state), packages resolved from
 * source, the shared setup file, and a JSON report that `pnpm test` sums over packages.
 *
 * @example
 * // packages/core/vitest.config.ts
 * import { defineTdhookVitestConfig } from '@tdhook/testing/vitest';
 * export default defineTdhookVitestConfig();
 */
export function defineTdhookVitestConfig(options: TdhookVitestOptions = {}): ViteUserConfig {
  const backends = parseTestBackends(process.env[testBackendVariable]);
  return defineConfig({
    ssr: { resolve: { conditions: ['@tdhook/source', 'module', 'node', 'development|production'] } },
    resolve: { conditions: ['@tdhook/source', 'module', 'development|production'] },
    test: {
      include: [...(options.include ?? ['src/**/*.test.ts', 'test/**/*.test.ts'])],
      pool: 'forks',
      testTimeout: options.testTimeout ?? 30_000,
      setupFiles: ['@tdhook/testing/setup'],
      reporters: ['default', ['json', { outputFile: '.test-results/results.json' }]],
      projects: backends.map((backend) => ({
        extends: true,
        test: { name: backend, provide: { tdhookBackend: backend } },
      })),
    },
  });
}
