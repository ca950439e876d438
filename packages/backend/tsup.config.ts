import { defineConfig, type Options } from 'tsup';

import { tfjsGradientsPlugin } from './build/tfjs-gradients-plugin.js';

const shared = {
  sourcemap: true,
  target: 'es2022',
  // wasm-threads.ts finds its own file through import.meta.url, which the CJS build needs shimmed.
  shims: true,
  splitting: false,
  external: [/^@tensorflow\//],
  // tfjs-core's gradient registry is bundled, rewired to the public tfjs-core API (see the plugin).
  noExternal: [/register_all_gradients/],
  esbuildPlugins: [tfjsGradientsPlugin()],
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
