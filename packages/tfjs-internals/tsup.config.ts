import { defineConfig } from 'tsup';

export default defineConfig({
  // The main entry and the tests' subpath share one copy of every module through chunks (the self-check's
  // cache and the patch stacks must be one).
  entry: { index: 'src/index.ts', testing: 'src/testing.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  splitting: true,
  external: [/^@tensorflow\//],
  esbuildOptions(options) {
    // The package ships src/, which the maps point to; embedding the sources again would double the install.
    options.sourcesContent = false;
  },
});
