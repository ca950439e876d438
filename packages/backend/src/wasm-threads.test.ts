import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const child = fileURLToPath(new URL('../test/wasm-threads-child.mjs', import.meta.url));

describe.runIf(inject('tdhookBackend') === 'wasm')('multi-threaded wasm (experimental)', () => {
  it('starts 2 threads, computes what single-threaded wasm computes, and lets the process exit', async () => {
    const { stdout } = await run(process.execPath, [child], { timeout: 60_000 });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      reasons: string[];
      largest: number;
    };
    expect(result.reasons).toContain('wasm on 2 threads (experimental)');
    expect(result.largest).toBeLessThan(1e-3);
  });
});
