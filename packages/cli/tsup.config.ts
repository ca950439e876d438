import { defineConfig } from 'tsup';

// The library entry (`run`, for programmatic use and tests) in ESM and CJS; bin/tdhook.js imports it.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  splitting: false,
  external: [/^@tensorflow\//, /^@tdhook\//],
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
});
