import type { Options } from 'tsup';

// The study script, built apart from the published dist (scripts/dist is ignored like every dist/):
// `pnpm --filter @tdhook/intervention atp-relp-study`.
const config: Options = {
  entry: { 'atp-relp-study': 'scripts/atp-relp-study.ts' },
  outDir: 'scripts/dist',
  format: ['esm'],
  target: 'es2022',
  splitting: false,
  clean: true,
  external: [/^@tensorflow\//, /^@tdhook\//],
};

export default config;
