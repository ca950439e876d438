import { defineConfig } from 'tsup';

import { tfjsGradientsPlugin } from './build/tfjs-gradients-plugin.js';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  splitting: false,
  external: [/^@tensorflow\//],
  // tfjs-core's gradient registry is bundled, rewired to the public tfjs-core API (see the plugin).
  noExternal: [/register_all_gradients/],
  esbuildPlugins: [tfjsGradientsPlugin()],
  esbuildOptions(options) {
    // The package ships src/, which the maps point to; embedding the sources again would double the install.
    options.sourcesContent = false;
  },
});
