import { defineConfig } from 'tsup';

export default defineConfig({
  // Three entries sharing one copy of every module through chunks, in ESM and in CJS: `cartPolePolicy()` from
  // ./pretrained must return the same ActorCritic class that the main entry exports (instanceof).
  entry: { index: 'src/index.ts', pretrained: 'src/pretrained/index.ts', probes: 'src/probes/index.ts' },
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
