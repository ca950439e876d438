import { defineConfig } from 'tsup';

export default defineConfig({
  // The main entry (browser-safe) and the Node-only subpath (disk shards), sharing one copy of every module
  // through chunks, in ESM and in CJS: two copies of a class would break `instanceof` between them.
  entry: { index: 'src/index.ts', node: 'src/node.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  splitting: true,
  external: [/^@tensorflow\//, /^@tdhook\//],
  esbuildOptions(options) {
    // The package ships src/, which the maps point to; embedding the sources again would double the install.
    options.sourcesContent = false;
  },
});
