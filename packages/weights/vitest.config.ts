import { defineTdhookVitestConfig } from '@tdhook/testing/vitest';

// Training a sparse autoencoder or fine-tuning the MNIST CNN takes seconds alone, several times that on cpu
// while `pnpm test` runs every package's tests on CI's two cores at once.
export default defineTdhookVitestConfig({ testTimeout: 120_000 });
