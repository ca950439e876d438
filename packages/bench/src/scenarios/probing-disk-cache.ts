// Activation caching at dataset scale: every layer of the MNIST CNN over MNIST test images, to disk. tdhook
// streams the batches through @tdhook/probing's cacheDataset into safetensors shards (diskActivationSink of
// @tdhook/probing/node); the baseline is the loop one writes by hand (probing-disk-cache-plain.ts), also
// with the shards' fsyncs to tell what crash safety costs. Peak RSS is the point as much as time: every
// variant holds one batch, so it stays flat as the number of images grows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { defineScenario, type PreparedVariant, type Scenario } from '../scenario.js';
import { plainDiskCache, plainDurableDiskCache } from './probing-disk-cache-plain.js';
import { loadMnistCnn, mnistBatches, type MnistCnn } from './probing-mnist.js';

/**
 * A grid point of {@link probingDiskCache}: how many MNIST test images, in batches of how many.
 *
 * @example
 * const point: ProbingDiskCacheParams = { images: 10_000, batch: 500 };
 */
export type ProbingDiskCacheParams = {
  readonly images: number;
  readonly batch: number;
};

type CacheTo = (cnn: MnistCnn, params: ProbingDiskCacheParams, dir: string) => Promise<void>;

/** Each measured call writes the whole cache into a fresh folder (the previous call's is removed first). */
function setup(cacheTo: CacheTo) {
  return async (params: ProbingDiskCacheParams): Promise<PreparedVariant> => {
    const cnn = await loadMnistCnn();
    const root = mkdtempSync(join(tmpdir(), 'tdhook-bench-disk-cache-'));
    const out = join(root, 'cache');
    return {
      run: async () => {
        rmSync(out, { recursive: true, force: true });
        await cacheTo(cnn, params, out);
        return undefined;
      },
      dispose: () => {
        cnn.dispose();
        rmSync(root, { recursive: true, force: true });
      },
    };
  };
}

/**
 * tdhook's way: `cacheDataset` over the batches (as TensorDicts under `input`) with every layer selected,
 * into `diskActivationSink` (one safetensors shard per batch, and the manifest).
 *
 * @example
 * await tdhookDiskCache(await loadMnistCnn(), { images: 1000, batch: 250 }, '/tmp/activations');
 */
export const tdhookDiskCache: CacheTo = async ({ model, layerNames }, { images, batch }, dir) => {
  const [{ TensorDict }, { cacheDataset }, { diskActivationSink }] = await Promise.all([
    import('@tdhook/core'),
    import('@tdhook/probing'),
    import('@tdhook/probing/node'),
  ]);
  async function* batches() {
    for await (const { images: x } of mnistBatches(images, batch))
      yield new TensorDict({ input: x }, { batchShape: [x.shape[0]] });
  }
  await cacheDataset(model, batches(), {
    select: layerNames,
    sink: diskActivationSink(dir, { shardRows: batch }),
  });
};

const plain: CacheTo = ({ model }, { images, batch }, dir) => plainDiskCache(model, images, batch, dir);
const plainFsync: CacheTo = ({ model }, { images, batch }, dir) =>
  plainDurableDiskCache(model, images, batch, dir);

/**
 * Activation caching to disk at dataset scale: every layer of the MNIST CNN (conv1 … logits, 38,152 bytes of
 * float32 activations per image) over up to 10,000 MNIST test images. `tdhook` is @tdhook/probing's
 * `cacheDataset` into safetensors shards; `plain` a hand-written loop writing raw float32 files;
 * `plain-fsync` that loop with the shards' durability (one file per batch, fsync, rename).
 *
 * @example
 * const suite: Suite = [probingDiskCache];
 */
export const probingDiskCache: Scenario<ProbingDiskCacheParams> = defineScenario<ProbingDiskCacheParams>({
  id: 'probing-disk-cache',
  title: 'Activation caching to disk: every layer of the MNIST CNN over MNIST',
  description:
    'Every layer of the MNIST CNN (conv1, pool1, conv2, pool2, flatten, fc1, logits: 38,152 bytes of float32 activations per image, 381 MB for 10,000 images) cached over the MNIST test images, read from the IDX file batch by batch, into a fresh folder on disk. tdhook: @tdhook/probing’s cacheDataset with diskActivationSink (one safetensors shard per batch and a JSON manifest, each written to a temporary name, fsynced and renamed, so that a crash leaves whole shards and the run resumes). plain (the baseline): a hand-written loop, a plain TF.js forward applying the layers one by one and keeping each output, each appended to a raw float32 file per layer, no fsync. plain-fsync: the same loop with the shards’ durability (one raw file per batch, fsync, rename, folder fsync; no manifest). Peak RSS and the tensor peak follow the batch size, not the number of images.',
  grid: {
    quick: [{ images: 1000, batch: 250 }],
    // The images grow at one batch size, then the batch changes at 10,000 images: memory follows the batch.
    full: [
      ...[2500, 5000, 10_000].map((images) => ({ images, batch: 500 })),
      { images: 10_000, batch: 100 },
      { images: 10_000, batch: 2000 },
    ],
  },
  baseline: 'plain',
  variants: { tdhook: setup(tdhookDiskCache), plain: setup(plain), 'plain-fsync': setup(plainFsync) },
  repetitions: { full: { warmup: 1, runs: 5 } },
});
