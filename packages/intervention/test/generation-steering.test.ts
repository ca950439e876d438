// Generation-time steering: steeringVectors prepared on gpt2-tiny stays installed while @tdhook/adapter-nlp's
// generate runs, so the steer acts at every step, with and without the key/value cache.
import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import { generate } from '@tdhook/adapter-nlp';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { activationAddition, addVector, steeringVectors, type SteerFunction } from '../src/index.js';
import { installedHooks } from './method-models.js';
import { reference, tokensOf, useTinyModel } from './gpt2-tiny-fixture.js';

const model = useTinyModel();

/** What `promise` rejects with, as a function that throws it (for toThrowTdhookError). */
async function rejection(promise: Promise<unknown>): Promise<() => never> {
  const error: unknown = await promise.then(
    () => new Error('it resolved'),
    (reason: unknown) => reason,
  );
  return () => {
    throw error;
  };
}

/** The reference's activationAddition vector at its hook, [8, 64]; the caller disposes it. */
function referenceSteer(): tf.Tensor {
  const { hook, positive, negative } = reference().steering;
  using data = new TensorDict(
    { positive: { input: tokensOf(positive) }, negative: { input: tokensOf(negative) } },
    { batchShape: [positive.length] },
  );
  using prepared = activationAddition({ modules: [hook] }).prepare(model());
  using vectors = prepared.run(data);
  return tf.clone(vectors.getTensor(['steer', hook]));
}

describe('steering during generation (adapter-nlp generate)', () => {
  const { hook, coeff, prompt } = reference().steering;

  it('a [dModel] vector (the activationAddition result summed over positions) steers every step: the same tokens with and without the KV cache, other tokens than unsteered; the hook sees [1, 8, 64] then [1, 1, 64]', async () => {
    const steer = referenceSteer();
    const vector = tf.sum(steer, 0);
    const ids = tokensOf(prompt);
    try {
      const plain = await generate(model(), ids, { maxNewTokens: 12 });
      const shapes: number[][] = [];
      const added = addVector(vector, { coefficient: coeff });
      const recording: SteerFunction = (args) => {
        shapes.push(args.output.shape);
        return added(args);
      };
      let cached;
      let uncached;
      {
        using _steered = steeringVectors({ modules: [hook], steer: recording }).prepare(model());
        cached = await generate(model(), ids, { maxNewTokens: 12 });
        expect(shapes).toEqual([[1, 8, 64], ...Array.from({ length: 11 }, () => [1, 1, 64])]);
        uncached = await generate(model(), ids, { maxNewTokens: 12, useKvCache: false });
      }
      expect(installedHooks(model())).toBe(0);
      expect(uncached).toEqual(cached);
      expect(cached.newTokens).not.toEqual(plain.newTokens);
      const after = await generate(model(), ids, { maxNewTokens: 12 });
      expect(after).toEqual(plain); // restored: unsteered again
    } finally {
      tf.dispose([steer, vector, ids]);
    }
  });

  it('the [positions, dModel] vector itself moves the first token from 32 to 9 (the reference), and at the next one-position step is a ShapeMismatchError naming both shapes; the model is restored after the block', async () => {
    const steer = referenceSteer();
    const ids = tokensOf(prompt);
    try {
      {
        using _steered = steeringVectors({
          modules: [hook],
          steer: addVector(steer, { coefficient: coeff }),
        }).prepare(model());
        const first = await generate(model(), ids, { maxNewTokens: 1 });
        expect(first.newTokens).toEqual([reference().steering.last_position_argmax_steered]);
        expect(await rejection(generate(model(), ids, { maxNewTokens: 3 }))).toThrowTdhookError(
          'E_SHAPE_MISMATCH',
          /steering vector float32\[8,64\] does not broadcast to the output float32\[1,1,64\] of 'blocks.0.hook_resid_post'.*tf.sum\(steer, 0\)/,
        );
        expect(
          await rejection(generate(model(), ids, { maxNewTokens: 3, useKvCache: false })),
        ).toThrowTdhookError(
          'E_SHAPE_MISMATCH',
          /float32\[8,64\] does not broadcast to the output float32\[1,9,64\]/,
        );
      }
      expect(installedHooks(model())).toBe(0);
      const plain = await generate(model(), ids, { maxNewTokens: 1 });
      expect(plain.newTokens).toEqual([reference().steering.last_position_argmax_unsteered]);
    } finally {
      tf.dispose([steer, ids]);
    }
  });

  it('an exception thrown inside steer during generation leaves no tensor behind, and the block restores the model', async () => {
    const ids = tokensOf(prompt);
    let calls = 0;
    const failing: SteerFunction = ({ output }) => {
      calls += 1;
      if (calls === 3) throw new Error('steer gave up');
      return tf.mul(output, 1);
    };
    try {
      {
        using _steered = steeringVectors({ modules: [hook], steer: failing }).prepare(model());
        expect(await rejection(generate(model(), ids, { maxNewTokens: 6 }))).toThrowTdhookError(
          'E_HOOK',
          /steer gave up/,
        );
      }
      expect(calls).toBe(3);
      expect(installedHooks(model())).toBe(0);
    } finally {
      ids.dispose();
    }
  });
});
