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
  // The main entry and the gradient-method authors' subpath (package.json exports), sharing one copy of every
  // module through chunks, in ESM and in CJS: two copies of a class would break `instanceof` between them.
  {
    ...shared,
    entry: { index: 'src/index.ts', plugin: 'src/plugin.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    splitting: true,
  },
  // The benchmark, built next to (not into) the published dist.
  {
    ...shared,
    entry: { 'run-bench': 'bench/run-bench.ts' },
    format: ['esm'],
    outDir: 'bench-dist',
    clean: true,
  },
]);
