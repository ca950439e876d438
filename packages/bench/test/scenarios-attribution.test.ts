// The integrated-gradients scenario's variants compute the same numbers (they are compared, so they must).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restorePatches } from '@tdhook/backend';
import { defaultPatches, installPatches } from '@tdhook/backend/patches';

import { igMultiTarget, lrpEpsilonPlus, type IgTargetsParams } from '../src/index.js';

async function outputs(variant: string, params: IgTargetsParams): Promise<tf.Tensor[]> {
  const setup = igMultiTarget.variants[variant];
  if (setup === undefined) throw new Error(variant);
  const prepared = await setup(params);
  try {
    const result = prepared.run();
    return result === undefined
      ? []
      : Array.isArray(result)
        ? [...(result as tf.Tensor[])]
        : [result as tf.Tensor];
  } finally {
    prepared.dispose();
  }
}

/** wasm has no convolution or max-pool gradients of its own: the CNN needs @tdhook/backend's patches. */
function useBackendPatches(): void {
  beforeAll(async () => {
    await installPatches(tf.getBackend() as 'wasm' | 'cpu', defaultPatches);
  });
  afterAll(() => {
    restorePatches();
  });
}

describe('ig-multi-target', () => {
  it('gives the same attributions for every target with tdhook (shared, loop) and plain TF.js', async () => {
    const params = { width: 16, depth: 3, batch: 4, targets: 3 };
    const plain = await outputs('plain', params);
    for (const variant of ['tdhook', 'tdhook-loop']) {
      const actual = await outputs(variant, params);
      expect(actual).toHaveLength(3);
      actual.forEach((tensor, index) => {
        expect(tensor).toBeCloseToTensor(plain[index] as tf.Tensor, { rtol: 1e-4, atol: 1e-6 });
      });
      tf.dispose(actual);
    }
    tf.dispose(plain);
  });

  it('has quick points that are a subset of the paper grid axes', () => {
    for (const point of igMultiTarget.grid.quick) expect([2, 10]).toContain(point.targets);
  });
});

describe('lrp-epsilon-plus', () => {
  useBackendPatches();

  it.each([
    { model: 'mlp', batch: 4 },
    { model: 'cnn', batch: 3 },
  ] as const)('gives the same relevance with tdhook and by hand ($model)', async (params) => {
    const run = async (variant: string): Promise<tf.Tensor> => {
      const setup = lrpEpsilonPlus.variants[variant];
      if (setup === undefined) throw new Error(variant);
      const prepared = await setup(params);
      try {
        return prepared.run() as tf.Tensor;
      } finally {
        prepared.dispose();
      }
    };
    const [tdhook, plain] = [await run('tdhook'), await run('plain')];
    expect(tdhook).toBeCloseToTensor(plain, { rtol: 1e-3, atol: 1e-6 });
    tf.dispose([tdhook, plain]);
  });
});
