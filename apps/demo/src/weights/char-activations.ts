// The Moby Dick character model's residual stream between its two blocks, cached with @tdhook/probing for
// the sparse autoencoder: training windows from the novel's first 95 %, held-out windows from its end, each
// as rows [windows · length, dModel] next to the windows' characters.
import * as tf from '@tensorflow/tfjs-core';
import type { HookedTransformer } from '@tdhook/adapter-nlp';
import { TensorDict } from '@tdhook/core';
import { mobyDickCorpus, sampleMobyDickWindows } from '@tdhook/nlp-assets';
import { cacheDataset } from '@tdhook/probing';

/** Where the autoencoder reads and writes: the residual stream after block 0, before block 1. */
export const saeHook = 'blocks.0.hook_resid_post';
export const windowLength = 64;

/** Windows of text with the residual stream at {@link saeHook} for every position. */
export interface CharWindows {
  /** The characters as token ids `[windows, length]`. */
  readonly inputs: tf.Tensor2D;
  /** `{ resid: [windows · length, dModel] }`, batch shape [rows]. */
  readonly rows: TensorDict;
  /** The windows' text, one string per window (`length` characters each). */
  readonly text: readonly string[];
  dispose(): void;
}

/** Caches the residual stream of `count` seeded windows of `split`. */
export async function cacheCharWindows(
  model: HookedTransformer,
  split: 'train' | 'held-out',
  count: number,
  seed: number,
): Promise<CharWindows> {
  const { vocabulary } = mobyDickCorpus();
  const ids = sampleMobyDickWindows({ seed, count, length: windowLength, split });
  const width = windowLength + 1;
  // sampleMobyDickWindows adds a next character to each window: left out, the loss reads the window itself.
  const inputs = tf.tensor2d(
    Int32Array.from(
      { length: count * windowLength },
      (_, i) => ids[Math.floor(i / windowLength) * width + (i % windowLength)] as number,
    ),
    [count, windowLength],
    'int32',
  );
  const text = Array.from({ length: count }, (_, window) =>
    Array.from(
      { length: windowLength },
      (_, position) => vocabulary[ids[window * width + position] as number] ?? '?',
    ).join(''),
  );
  using batch = new TensorDict({ input: inputs.clone() }, { batchShape: [count] });
  using cache = await cacheDataset(model, [batch], {
    select: new RegExp(`^${saeHook.replace(/\./g, '\\.')}$`),
  });
  const stream = cache.getTensor(saeHook);
  const rows = new TensorDict(
    { resid: tf.reshape(stream, [count * windowLength, -1]) },
    { batchShape: [count * windowLength] },
  );
  return {
    inputs,
    rows,
    text,
    dispose: () => {
      inputs.dispose();
      rows.dispose();
    },
  };
}
