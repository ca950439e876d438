// The README's scenario example, run as a plugin author would: `tdhook-bench --suite bench/suite.js`.
// Its imports point at this checkout's builds (a temporary folder has no node_modules).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { afterEach, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const require = createRequire(import.meta.url);

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

it('the README example suite runs and reports both variants', () => {
  const example = /```js\n(\/\/ bench\/suite\.js\n[\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeDefined();
  // The file Node's own import of the package loads (its `main`), so that the worker shares that engine.
  const tfjsCore = pathToFileURL(require.resolve('@tensorflow/tfjs-core')).href;
  const source = (example ?? '')
    .replace("from '@tdhook/bench'", `from '${pathToFileURL(join(cli, '../index.js')).href}'`)
    .replace("from '@tensorflow/tfjs-core'", `from '${tfjsCore}'`);
  dir = mkdtempSync(join(tmpdir(), 'tdhook-readme-test-'));
  writeFileSync(join(dir, 'suite.mjs'), source);
  const out = join(dir, 'out');
  const child = spawnSync(
    process.execPath,
    [cli, '--suite', join(dir, 'suite.mjs'), '--quick', '--backend', 'cpu', '--out', out],
    { encoding: 'utf8', timeout: 120_000 },
  );
  expect(child.status, child.stderr).toBe(0);
  expect(child.stderr).not.toContain('failed');
  const summary = readFileSync(join(out, 'summary.md'), 'utf8');
  expect(summary).toContain('## A matmul, fused or not');
  expect(summary).toMatch(/\| fused \| [\d.]+ (µs|ms) /);
}, 120_000);
