import type {} from 'vitest'; // brings the module being augmented below into every program that loads this file
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { defineConfig, type TestProjectInlineConfiguration, type ViteUserConfig } from 'vitest/config';

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
    /** The function throws a tdhook error (any copy of @tdhook/core) with this code and, if given, message. */
    toThrowTdhookError(code: string, pattern?: RegExp | string): T;
  }
}

/** Options of {@link defineTdhookVitestConfig}. */
export interface TdhookVitestOptions {
  /** Test file globs, relative to the package. Default: `src/**\/*.test.ts` and `test/**\/*.test.ts`. */
  readonly include?: readonly string[];
  /** Per-test timeout in ms. Default 30 000: cpu-backend runs of model gradients are slow. */
  readonly testTimeout?: number;
}

// Workspace packages resolve to each other's sources (the `@tdhook/source` export condition).
const sourceResolution = {
  ssr: { resolve: { conditions: ['@tdhook/source', 'module', 'node', 'development|production'] } },
  resolve: { conditions: ['@tdhook/source', 'module', 'development|production'] },
};

function testOptions(options: TdhookVitestOptions): {
  include: string[];
  pool: 'forks';
  testTimeout: number;
  setupFiles: string[];
} {
  return {
    include: [...(options.include ?? ['src/**/*.test.ts', 'test/**/*.test.ts'])],
    // Forked processes: the TF.js engine is global state, and native backends break in worker threads.
    pool: 'forks',
    testTimeout: options.testTimeout ?? 30_000,
    setupFiles: ['@tdhook/testing/setup'],
  };
}

/**
 * The vitest config of a @tdhook package: one test project per backend named in `TDHOOK_TEST_BACKEND`
 * (wasm, then cpu, by default), forked processes, packages resolved from source, the shared setup file, and
 * a JSON report that `pnpm test` sums over packages.
 *
 * @example
 * // packages/core/vitest.config.ts
 * import { defineTdhookVitestConfig } from '@tdhook/testing/vitest';
 * export default defineTdhookVitestConfig();
 */
export function defineTdhookVitestConfig(options: TdhookVitestOptions = {}): ViteUserConfig {
  const backends = parseTestBackends(process.env[testBackendVariable]);
  return defineConfig({
    ...sourceResolution,
    test: {
      ...testOptions(options),
      reporters: ['default', ['json', { outputFile: '.test-results/results.json' }]],
      projects: backends.map((backend) => ({
        extends: true,
        test: { name: backend, provide: { tdhookBackend: backend } },
      })),
    },
  });
}

/**
 * The repository-root config, for editors and one-process runs of everything: a project per package that
 * has a `vitest.config.ts` and per backend, named like `core:wasm`. Package options other than the defaults
 * apply only when a package runs on its own (`pnpm test`).
 *
 * @example
 * // vitest.config.ts at the repository root
 * export default defineTdhookWorkspaceConfig(['packages', 'apps']);
 */
export function defineTdhookWorkspaceConfig(groups: readonly string[]): ViteUserConfig {
  const backends = parseTestBackends(process.env[testBackendVariable]);
  const packageDirs = groups.flatMap((group) =>
    existsSync(group)
      ? readdirSync(group)
          .map((name) => join(group, name))
          .filter((dir) => existsSync(join(dir, 'vitest.config.ts')))
      : [],
  );
  const projects: TestProjectInlineConfiguration[] = packageDirs.flatMap((dir) =>
    backends.map((backend) => ({
      ...sourceResolution,
      test: {
        ...testOptions({}),
        root: dir,
        name: `${dir.split('/').pop() ?? dir}:${backend}`,
        provide: { tdhookBackend: backend },
      },
    })),
  );
  return defineConfig({ test: { projects } });
}
