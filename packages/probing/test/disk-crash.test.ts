// The crash test of the disk cache, for real: a child process caching a dataset is killed with SIGKILL
// mid-run; the folder then holds whole shards only, and a re-run resumes it into exactly (byte for byte)
// what an uninterrupted run writes. The child runs the built package (`pnpm build`; turbo builds it before
// the tests), on the cpu backend in every run, so that the bytes can be compared.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { readShardManifest } from '../src/node.js';

const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, 'crash-child.mjs');
const built = join(here, '..', 'dist', 'node.js');

interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the child; with `killAtRows`, kills it (SIGKILL) once it reports that many rows cached. */
function runChild(folder: string, delay: number, killAtRows?: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, [child, folder, String(delay)], { cwd: join(here, '..') });
    let stdout = '';
    let stderr = '';
    process_.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const rows = [...stdout.matchAll(/rows (\d+)/g)].map((match) => Number(match[1]));
      if (killAtRows !== undefined && rows.some((count) => count >= killAtRows)) process_.kill('SIGKILL');
    });
    process_.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    process_.on('error', reject);
    process_.on('close', (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function folderBytes(folder: string): Promise<Record<string, string>> {
  const names = (await readdir(folder)).sort();
  const entries = await Promise.all(
    names.map(async (name) => [name, (await readFile(join(folder, name))).toString('base64')] as const),
  );
  return Object.fromEntries(entries);
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tdhook-disk-crash-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the disk cache survives a SIGKILL', () => {
  it('a killed run leaves whole shards and a manifest listing them; the re-run resumes and equals an uninterrupted run byte for byte', async () => {
    expect(existsSync(built), `${built} is missing: build @tdhook/probing first (pnpm build)`).toBe(true);
    const whole = join(root, 'whole');
    const uninterrupted = await runChild(whole, 0);
    expect(uninterrupted.stderr).not.toMatch(/Error/);
    expect(uninterrupted.stdout).toMatch(/done/);

    const killed = join(root, 'killed');
    const crash = await runChild(killed, 150, 30);
    expect(crash.signal).toBe('SIGKILL');
    expect(crash.stdout).not.toMatch(/done/);
    const manifest = await readShardManifest(killed);
    expect(manifest.complete).toBe(false);
    expect(manifest.rows % 7).toBe(0); // whole shards of 7 rows only
    expect(manifest.rows).toBeGreaterThanOrEqual(28);
    expect(manifest.rows).toBeLessThan(60);
    const wholeBytes = await folderBytes(whole);
    const crashedBytes = await folderBytes(killed);
    for (const { file } of manifest.shards) expect(crashedBytes[file]).toBe(wholeBytes[file]);

    const resumed = await runChild(killed, 0);
    expect(resumed.stdout).toMatch(/done/);
    // Progress counts the rows found on disk: the first report of the resumed run is past them.
    const firstReport = Number(/rows (\d+)/.exec(resumed.stdout)?.[1]);
    expect(firstReport).toBeGreaterThan(0);
    expect(await folderBytes(killed)).toEqual(wholeBytes);
    expect((await readShardManifest(killed)).rows).toBe(60);
  }, 120_000);
});
