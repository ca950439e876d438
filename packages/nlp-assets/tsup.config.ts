import { defineConfig } from 'tsup';

// ESM only: the package is private, used by tests, the CLI and the demo from this workspace.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'train-ioi': 'scripts/train-ioi.ts',
    'train-induction': 'scripts/train-induction.ts',
    'train-moby-char': 'scripts/train-moby-char.ts',
    'measure-moby-char': 'scripts/measure-moby-char.ts',
  },
  format: ['esm'],
  target: 'es2022',
  sourcemap: true,
  splitting: false,
  clean: true,
  external: [/^@tensorflow\//, /^@tdhook\//, /^@stdlib\//, 'lande', 'toygrad'],
});
