// Every file in examples/ is a documented, runnable example: each exports `example()`, run here on every
// test backend (with the leak guard around it, as every test).
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

const directory = fileURLToPath(new URL('../examples/', import.meta.url));
const files = readdirSync(directory).filter((file) => file.endsWith('.ts'));

describe('examples', () => {
  it.each(files)('%s runs', async (file) => {
    const module = (await import(`../examples/${file}`)) as { example?: () => unknown };
    expect(typeof module.example).toBe('function');
    await module.example?.();
  });
});
