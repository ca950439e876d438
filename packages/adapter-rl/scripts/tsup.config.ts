import type { Options } from 'tsup';

// The training script, built apart from the published dist (scripts/dist is ignored like every dist/):
// `pnpm --filter @tdhook/adapter-rl train-cartpole-ppo`.
const config: Options = {
  entry: { 'train-cartpole-ppo': 'scripts/train-cartpole-ppo.ts' },
  outDir: 'scripts/dist',
  format: ['esm'],
  target: 'es2022',
  splitting: false,
  clean: true,
  external: [/^@tensorflow\//, /^@tdhook\//],
};

export default config;
