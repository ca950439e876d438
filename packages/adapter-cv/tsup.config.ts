import { defineConfig } from 'tsup';

export default defineConfig({
  // The main entry and the drawing-only subpath (package.json exports), sharing one copy of every module
  // through chunks, in ESM and in CJS: two copies of CvError would break `instanceof` between them.
  entry: { index: 'src/index.ts', render: 'src/render-entry.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  splitting: true,
  external: [/^@tensorflow\//, /^@tdhook\//, 'pngjs', 'jpeg-js'],
  esbuildOptions(options) {
    // The package ships src/, which the maps point to; embedding the sources again would double the install.
    options.sourcesContent = false;
  },
});
