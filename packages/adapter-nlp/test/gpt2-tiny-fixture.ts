// The gpt2-tiny reference (packages/testing/reference/gpt2-tiny): its folder, its bytes and reference.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { referenceDirectory } from '@tdhook/testing';

export interface WeightIndexEntry {
  readonly shape: number[];
  readonly sha256_le_f32: string;
  readonly first4: number[];
  readonly sum_f64: number;
}

export interface Gpt2TinyReference {
  readonly weights_index: Record<string, WeightIndexEntry>;
  readonly inputs: { tokens: { shape: number[]; data: number[][] } };
  readonly forward: { logits: { shape: number[]; data: number[][][] } };
  readonly config: Record<string, unknown>;
}

export function gpt2TinyFolder(): string {
  return join(referenceDirectory(), 'gpt2-tiny');
}

let cached: Gpt2TinyReference | undefined;

export function gpt2TinyReference(): Gpt2TinyReference {
  cached ??= JSON.parse(readFileSync(join(gpt2TinyFolder(), 'reference.json'), 'utf8')) as Gpt2TinyReference;
  return cached;
}

export function gpt2TinyBytes(): Uint8Array {
  return readFileSync(join(gpt2TinyFolder(), 'model.safetensors'));
}
