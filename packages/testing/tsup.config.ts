import { defineConfig, type Options } from 'tsup';

// The same build step @tdhook/backend uses for its published gradient registry (no package dependency).
import { tfjsGradientsPlugin } from '../backend/build/tfjs-gradients-plugin.js';

const shared = {
  format: ['esm'],
  sourcemap: true,
  target: 'es2022',
  external: [/^@tensorflow\//, /^vitest/],
} satisfies Options;

// Private package, built for apps that run outside vitest (the demo) and for the gradient registry.
// dist/ sits next to reference/, so `new URL('../reference/', import.meta.url)` resolves as from src/.
export default defineConfig([
  { ...shared, entry: ['src/index.ts'], clean: true },
  {
    ...shared,
    entry: ['src/register-gradients.ts'],
    noExternal: [/register_all_gradients/],
    esbuildPlugins: [tfjsGradientsPlugin()],
  },
]);
