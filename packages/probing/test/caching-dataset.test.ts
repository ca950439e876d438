import * as tf from '@tensorflow/tfjs-core';
import { resolveModule, TensorDict } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { cacheDataset, memoryActivationSink, type ActivationSink, type CacheProgress } from '../src/index.js';
import { inputs, manualMlp, mlp } from './caching-models.js';

const close = { rtol: 1e-5, atol: 1e-6 };

/** `count` batches of `size` rows (the last one may be shorter), with labels; fresh tensors each time. */
function* batches(total: number, size: number, seed = 7): Generator<TensorDict> {
  for (let start = 0; start < total; start += size) {
    const rows = Math.min(size, total - start);
    const [input, label] = tf.tidy(() => [
      tf.slice(inputs(total, 10, seed), [start, 0], [rows, -1]),
      tf.range(start, start + rows, 1, 'int32'),
    ]);
    yield new TensorDict({ input, label }, { batchShape: [rows] });
  }
}

/** A rejected promise's error as a throwing function, for the tdhook error matcher. */
async function rejection(promise: Promise<unknown>): Promise<() => never> {
  const error: unknown = await promise.then(
    () => new Error('resolved'),
    (reason: unknown) => reason,
  );
  return () => {
    throw error;
  };
}

describe('cacheDataset: activations over a dataset in batches', () => {
  it('concatenates every batch in memory, equal to one pass over all rows, with labels passed through', async () => {
    const model = mlp();
    const progress: CacheProgress[] = [];
    const cached = await cacheDataset(model, batches(23, 5), {
      select: /linear[13]/,
      passThrough: ['label'],
      totalRows: 23,
      onProgress: (p) => progress.push(p),
    });
    const all = inputs(23);
    const expected = manualMlp(model, all);
    expect(cached.batchShape).toEqual([23]);
    expect(cached.getTensor('linear1')).toBeCloseToTensor(expected['linear1'] as tf.Tensor, close);
    expect(cached.getTensor('linear3')).toBeCloseToTensor(expected['linear3'] as tf.Tensor, close);
    expect(Array.from(cached.getTensor('label').dataSync())).toEqual([...Array(23).keys()]);
    expect(cached.keys()).toEqual([['linear1'], ['linear3'], ['label']]);
    expect(progress.map(({ rows }) => rows)).toEqual([5, 10, 15, 20, 23]);
    expect(progress.at(-1)).toEqual({ batches: 5, rows: 23, totalRows: 23, resumedRows: 0 });
    expect(hookCounts(resolveModule(model, 'linear1')).forward).toBe(0);
    tf.dispose([all, ...Object.values(expected)]);
    cached.dispose();
    model.dispose();
  });

  it('takes async iterables and gradient directions ([direction, path] keys)', async () => {
    const model = mlp();
    async function* source(): AsyncGenerator<TensorDict> {
      for (const batch of batches(6, 4)) yield await Promise.resolve(batch);
    }
    const cached = await cacheDataset(model, source(), {
      select: 'linear3',
      directions: ['forward', 'backward-pre'],
    });
    expect(cached.keys()).toEqual([
      ['forward', 'linear3'],
      ['backward-pre', 'linear3'],
    ]);
    const ones = tf.ones([6, 5]);
    expect(cached.getTensor(['backward-pre', 'linear3'])).toBeCloseToTensor(ones, { rtol: 0, atol: 0 });
    tf.dispose(ones);
    cached.dispose();
    model.dispose();
  });

  it('keeps the tensors alive during a run bounded by one batch, whatever the number of batches', async () => {
    const model = mlp();
    const peakFor = async (count: number): Promise<number> => {
      let peak = 0;
      let total = 0;
      const counting: ActivationSink<number> = {
        open: () => Promise.resolve(0),
        write: (rows) => {
          peak = Math.max(peak, tf.memory().numTensors);
          total += rows.batchShape[0] ?? 0;
          rows.dispose();
          return Promise.resolve();
        },
        finish: () => Promise.resolve(total),
        abort: () => Promise.resolve(),
      };
      const before = tf.memory().numTensors;
      expect(await cacheDataset(model, batches(count * 4, 4), { select: /linear/, sink: counting })).toBe(
        count * 4,
      );
      return peak - before;
    };
    const few = await peakFor(2);
    const many = await peakFor(20);
    expect(few).toBeGreaterThan(0);
    expect(many).toBe(few);
    model.dispose();
  });

  it('restores the model and disposes what it holds when the source throws; rejects bad batches', async () => {
    const model = mlp();
    function* failing(): Generator<TensorDict> {
      yield* batches(8, 4);
      throw new Error('source broke');
    }
    await expect(cacheDataset(model, failing(), { select: 'linear1' })).rejects.toThrow('source broke');
    expect(hookCounts(resolveModule(model, 'linear1')).forward).toBe(0);
    const flat = new TensorDict({ input: tf.zeros([2, 2, 10]) }, { batchShape: [2, 2] });
    expect(await rejection(cacheDataset(model, [flat], { select: 'linear1' }))).toThrowTdhookError(
      'E_INVALID_VALUE',
      /batch shape \[2, 2\]/,
    );
    expect(flat.isDisposed).toBe(true);
    expect(
      await rejection(cacheDataset(model, batches(4, 4), { select: 'linear1', passThrough: ['missing'] })),
    ).toThrowTdhookError('E_MISSING_KEY', /"missing"/);
    expect(await rejection(cacheDataset(model, 3 as never, { select: 'linear1' }))).toThrowTdhookError(
      'E_INVALID_VALUE',
      /iterable/,
    );
    const empty = await cacheDataset(model, [], { select: 'linear1', sink: memoryActivationSink() });
    expect(empty.batchShape).toEqual([0]);
    empty.dispose();
    model.dispose();
  });
  it('takes over every batch it receives (an array included); batches it never reached stay the caller’s', async () => {
    const model = mlp();
    const held = [...batches(12, 4)];
    const cached = await cacheDataset(model, held, { select: 'linear1' });
    expect(held.map((batch) => batch.isDisposed)).toEqual([true, true, true]);
    expect(cached.batchShape).toEqual([12]);
    cached.dispose();
    // The second batch lacks the pass-through key: the run stops there, the third batch was never taken.
    const [first, second, third] = [...batches(12, 4)] as [TensorDict, TensorDict, TensorDict];
    second.delete('label');
    expect(
      await rejection(
        cacheDataset(model, [first, second, third], { select: 'linear1', passThrough: ['label'] }),
      ),
    ).toThrowTdhookError('E_MISSING_KEY', /"label"/);
    expect([first.isDisposed, second.isDisposed, third.isDisposed]).toEqual([true, true, false]);
    third.dispose();
    model.dispose();
  });

  it('copies no activation on the way to the sink: the copies do not grow with the modules cached', async () => {
    const model = mlp();
    // tf.clone is a copy on the wasm backend (its Identity kernel copies), a reshape shares the data.
    const copiesFor = async (select: RegExp): Promise<number> => {
      const sink: ActivationSink<number> = {
        open: () => Promise.resolve(0),
        write: (rows) => {
          rows.dispose();
          return Promise.resolve();
        },
        finish: () => Promise.resolve(0),
        abort: () => Promise.resolve(),
      };
      const profile = await tf.profile(async () => {
        await cacheDataset(model, batches(4, 4), { select, sink, passThrough: ['label'] });
      });
      return profile.kernels.filter(({ name }) => name === 'Identity').length;
    };
    expect(await copiesFor(/linear[123]/)).toBe(await copiesFor(/linear1/));
    model.dispose();
  });
});
