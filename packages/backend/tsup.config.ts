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
  // The main entry and the patch authors' subpath (package.json exports), sharing one copy of every module
  // through chunks, in ESM and in CJS: the installed-patch registry must be one, whichever entry installs.
  {
    ...shared,
    entry: { index: 'src/index.ts', patches: 'src/patches.ts' },
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
