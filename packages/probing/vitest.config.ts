import { defineTdhookVitestConfig } from '@tdhook/testing/vitest';

export default defineTdhookVitestConfig();
