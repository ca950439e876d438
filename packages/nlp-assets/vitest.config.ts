import { defineTdhookVitestConfig } from '@tdhook/testing/vitest';

// The committed models are measured on held-out data in full (hundreds of sequences): seconds on a quiet
// machine, but the cpu backend needs up to a minute while the other packages' tests share the cores.
export default defineTdhookVitestConfig({ testTimeout: 180_000 });
