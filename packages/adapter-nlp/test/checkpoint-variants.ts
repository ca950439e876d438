// Hub-style variants of the gpt2-tiny checkpoint, built in temporary folders: no `transformer.` prefix, mask
// buffers, F16, an lm_head, shards, a changed config. Each test gets its own folder and removes it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  readSafetensors,
  writeSafetensors,
  type SafetensorsTensor,
  type SafetensorsTensorInput,
} from '../src/index.js';
import { fixtureBytes, fixtureDirectory } from './model-fixture.js';

export type TensorMap = Record<string, SafetensorsTensorInput>;

/** The fixture's tensors by their stored names (`transformer.…`). */
export function fixtureTensors(): Record<string, SafetensorsTensor> {
  return { ...readSafetensors(fixtureBytes()).tensors };
}

export function fixtureConfig(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(fixtureDirectory, 'config.json'), 'utf8')) as Record<string, unknown>;
}

/** The same tensors without the `transformer.` prefix, as the hub's gpt2 safetensors stores them. */
export function withoutPrefix(tensors: Record<string, SafetensorsTensor>): Record<string, SafetensorsTensor> {
  return Object.fromEntries(
    Object.entries(tensors).map(([name, tensor]) => [name.replace(/^transformer\./, ''), tensor]),
  );
}

/** The error a promise rejects with (failing the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

export function temporaryFolder(): { folder: string; remove: () => void } {
  const folder = mkdtempSync(join(tmpdir(), 'tdhook-checkpoint-'));
  return {
    folder,
    remove: () => {
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Writes config.json and model.safetensors into `folder`. */
export function writeVariant(
  folder: string,
  tensors: TensorMap,
  config: Record<string, unknown> = fixtureConfig(),
): void {
  writeFileSync(join(folder, 'config.json'), JSON.stringify(config, null, 2));
  writeFileSync(join(folder, 'model.safetensors'), writeSafetensors(tensors));
}
