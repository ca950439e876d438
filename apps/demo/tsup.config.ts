import { defineConfig } from 'tsup';

// The demo runs the built packages, as a user would: workspace packages and TF.js stay external.
export default defineConfig({
  entry: ['src/main.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'es2022',
  external: [/^@tensorflow\//, /^@tdhook\//],
});
