// The default backend runs with @tdhook/backend's patches (wasm lacks conv and pooling gradients, and its
// batched matmul gradient is slow); tests use them the same way. On cpu they change nothing that matters.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll } from 'vitest';
import { restorePatches } from '@tdhook/backend';
import { defaultPatches, installPatches } from '@tdhook/backend/patches';

export function useBackendPatches(): void {
  beforeAll(async () => {
    await installPatches(tf.getBackend() as 'wasm' | 'cpu', defaultPatches);
  });
  afterAll(() => {
    restorePatches();
  });
}
