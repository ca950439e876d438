import { defineTdhookWorkspaceConfig } from '@tdhook/testing/vitest';

// For editors and one-process runs of everything (`pnpm exec vitest run --configLoader runner`). `pnpm test`
// runs each package's own config through turbo instead, so results are cached per package.
export default defineTdhookWorkspaceConfig(['packages', 'apps']);
