import { defineConfig } from 'vitest/config';

// For editors and whole-repo runs (`pnpm exec vitest --configLoader runner`). `pnpm test` runs each package's
// own config through turbo instead, so results are cached per package.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts'],
  },
});
