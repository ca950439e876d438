import { defineTdhookVitestConfig } from '@tdhook/testing/vitest';

// Patching grids on the trained models take seconds alone, several times that on cpu while `pnpm test` runs
// every package's tests on CI's two cores at once.
export default defineTdhookVitestConfig({ testTimeout: 120_000 });
