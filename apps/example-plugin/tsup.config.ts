import { defineConfig } from 'tsup';

// ESM and CJS with their own type files, as a published plugin ships; tdhook and TF.js stay peers.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  splitting: false,
  external: [/^@tensorflow\//, /^@tdhook\//],
});
