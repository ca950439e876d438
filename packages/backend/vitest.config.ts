import { defineTdhookVitestConfig } from '@tdhook/testing/vitest';

export default defineTdhookVitestConfig({ testTimeout: 60_000 });
