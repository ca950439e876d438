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
  { ...shared, entry: ['src/index.ts'], format: ['esm', 'cjs'], dts: true, clean: true },
  // The benchmark, built next to (not into) the published dist.
  {
    ...shared,
    entry: { 'run-bench': 'bench/run-bench.ts' },
    format: ['esm'],
    outDir: 'bench-dist',
    clean: true,
  },
]);
