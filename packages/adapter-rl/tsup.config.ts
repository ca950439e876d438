import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', pretrained: 'src/pretrained/index.ts', probes: 'src/probes/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: [/^@tensorflow\//, /^@tdhook\//],
  esbuildOptions(options) {
    // The package ships src/, which the maps point to; embedding the sources again would double the install.
    options.sourcesContent = false;
  },
});
