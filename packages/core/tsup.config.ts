import { defineConfig } from 'tsup';

export default defineConfig({
  // The main entry and the plugin authors' subpath (package.json exports).
  entry: { index: 'src/index.ts', plugin: 'src/plugin.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // Both entries share one copy of every module (chunks), in ESM and in CJS: two copies of a class would
  // break `instanceof` between what one entry returns and the other exports, and split module-level state.
  splitting: true,
  external: [/^@tensorflow\//],
  esbuildOptions(options) {
    // The package ships src/, which the maps point to; embedding the sources again would double the install.
    options.sourcesContent = false;
  },
});
