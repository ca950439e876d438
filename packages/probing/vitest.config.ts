import { defineTdhookVitestConfig } from '@tdhook/testing/vitest';

// The conformance and brute-force tests take seconds alone, but the cpu backend needs several times that while
// `pnpm test` runs every package's tests on CI's two cores at once.
export default defineTdhookVitestConfig({ testTimeout: 120_000 });
