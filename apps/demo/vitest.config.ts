import { defineConfig } from 'vitest/config';

// One project, not one per backend: the demo picks its backend itself and runs as a child process.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    reporters: ['default', ['json', { outputFile: '.test-results/results.json' }]],
  },
});
