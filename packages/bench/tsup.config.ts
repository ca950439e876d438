import { defineConfig, type Options } from 'tsup';

const shared = {
  sourcemap: true,
  target: 'es2022',
  splitting: false,
  external: [/^@tensorflow\//, /^@tdhook\//],
  esbuildOptions(options) {
    // The package ships src/, which the maps point to; embedding the sources again would double the install.
    options.sourcesContent = false;
  },
} satisfies Options;

export default defineConfig([
  // shims: the CJS build finds worker.js through import.meta.url.
  { ...shared, entry: ['src/index.ts'], format: ['esm', 'cjs'], dts: true, clean: true, shims: true },
  // The worker process (forked by runSuite next to the ESM build), the CLI, and tdhook's own suite.
  { ...shared, entry: ['src/worker.ts', 'src/cli.ts', 'src/suite.ts'], format: ['esm'] },
]);
