// The `tdhook` binary as users run it: a child process per command, real exit codes, files on disk.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { PNG } from 'pngjs';
import { expect, inject } from 'vitest';
import type {} from '@tdhook/testing/vitest'; // types inject('tdhookBackend')

export const packageDir: string = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/tdhook.js', import.meta.url));
export const backend: 'wasm' | 'cpu' = inject('tdhookBackend');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function spawnTdhook(
  args: readonly string[],
  {
    env = process.env,
    cwd = packageDir,
    user,
  }: { env?: NodeJS.ProcessEnv; cwd?: string; user?: { uid: number; gid: number } } = {},
): Run {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env,
    ...user,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function tdhook(...args: string[]): Run {
  return spawnTdhook(args);
}

/** `tdhook explain` on the test backend, without progress lines. */
export function explain(...args: string[]): Run {
  return tdhook('explain', '--backend', backend, '--quiet', ...args);
}

export function decode(path: string): PNG {
  return PNG.sync.read(readFileSync(path));
}

/** Distinct colours in a PNG: a heatmap has many, a blank image one. */
export function colourCount(png: PNG): number {
  const colours = new Set<number>();
  for (let i = 0; i < png.data.length; i += 4) {
    colours.add(((png.data[i] ?? 0) << 16) | ((png.data[i + 1] ?? 0) << 8) | (png.data[i + 2] ?? 0));
  }
  return colours.size;
}

/** One line on stderr, with the phrase, and no stack trace. */
export function expectOneLineError(stderr: string, phrase: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(phrase);
  expect(stderr).not.toMatch(/\n\s+at /);
}

/** The files in a folder (hidden ones too), or `null` if it does not exist. */
export function filesIn(folder: string): string[] | null {
  try {
    return readdirSync(folder).sort();
  } catch {
    return null;
  }
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}
