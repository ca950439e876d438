// The child process of the crash test (disk-crash.test.ts): caches a fixed dataset into a folder, slowly
// when asked, so that the parent can SIGKILL it mid-run. It runs the built package (dist), like a user would.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@tdhook/backend';
import { Lambda, Module, Sequential, TensorDict } from '@tdhook/core';
import { cacheDataset } from '@tdhook/probing';
import { diskActivationSink } from '@tdhook/probing/node';

const [folder = '', delay = '0'] = process.argv.slice(2);
await initBackend({ backend: 'cpu' });

/** Fixed values from a linear congruential generator: the same in every process. */
function seeded(shape, seed) {
  let state = seed >>> 0;
  const values = new Float32Array(shape.reduce((total, size) => total * size, 1));
  for (let i = 0; i < values.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = state / 2 ** 32 - 0.5;
  }
  return tf.tensor(values, shape);
}

class Dense extends Module {
  constructor(inputs, units, seed) {
    super();
    this.kernel = this.registerParameter('kernel', seeded([inputs, units], seed));
  }
  forward(x) {
    return tf.matMul(x, this.kernel);
  }
}

const model = new Sequential({
  fc1: new Dense(8, 16, 1),
  relu: new Lambda('relu', (x) => tf.relu(x)),
  fc2: new Dense(16, 4, 3),
});

async function* batches() {
  for (let index = 0; index < 12; index++) {
    yield new TensorDict({ input: seeded([5, 8], 100 + index) }, { batchShape: [5] });
    await new Promise((resolve) => setTimeout(resolve, Number(delay)));
  }
}

await cacheDataset(model, batches(), {
  select: /fc/,
  sink: diskActivationSink(folder, { shardRows: 7 }),
  onProgress: ({ rows }) => console.log(`rows ${rows}`),
});
console.log('done');
