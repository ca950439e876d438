import { defineTdhookVitestConfig } from '@tdhook/testing/vitest';

// Rollouts of whole episodes and short training runs take seconds, several times that on cpu while
// `pnpm test` runs every package's tests on CI's two cores at once.
export default defineTdhookVitestConfig({ testTimeout: 120_000 });
