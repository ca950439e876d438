// MNIST digits as the weights section uses them: a slice of the test set as one tensor with its labels, and
// the MNIST CNN's accuracy on it, overall and per class.
import * as tf from '@tensorflow/tfjs-core';
import { readMnist } from '@tdhook/cv-assets';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/** A slice of MNIST in memory: images `[count, 28, 28, 1]` in [0, 1] (the caller disposes them) and labels. */
export interface Digits {
  readonly images: tf.Tensor4D;
  readonly labels: Uint8Array;
}

/** `count` digits of `split` from index `start`. */
export function loadDigits(split: 'train' | 'test', start: number, count: number): Digits {
  const { images, labels } = readMnist(split, start, count);
  return { images: tf.tensor4d(images, [count, 28, 28, 1]), labels };
}

/** The digits of `digits` whose label is (or, with `invert`, is not) `digit`, as a new slice. */
export function digitsOfClass(digits: Digits, digit: number, invert = false): Digits {
  const rows = Array.from(digits.labels.keys()).filter((row) => (digits.labels[row] === digit) !== invert);
  const images = tf.tidy(() => tf.gather(digits.images, tf.tensor1d(rows, 'int32')));
  return { images, labels: Uint8Array.from(rows, (row) => digits.labels[row] as number) };
}

/** How many digits of each class there are, and how many the model gets right. */
export interface ClassCounts {
  readonly total: readonly number[];
  readonly correct: readonly number[];
}

/** The model's predictions on `digits`, counted per class (one batched pass per 1000 digits). */
export function countCorrect(model: LayersModel, digits: Digits): ClassCounts {
  const count = digits.labels.length;
  const total = Array<number>(10).fill(0);
  const correct = Array<number>(10).fill(0);
  for (let start = 0; start < count; start += 1000) {
    const rows = Math.min(1000, count - start);
    const predicted = tf.tidy(() =>
      tf.argMax(
        model.predict(tf.slice(digits.images, [start, 0, 0, 0], [rows, -1, -1, -1])) as tf.Tensor,
        -1,
      ),
    );
    const classes = predicted.dataSync();
    predicted.dispose();
    for (let row = 0; row < rows; row++) {
      const label = digits.labels[start + row] as number;
      total[label] = (total[label] ?? 0) + 1;
      if (classes[row] === label) correct[label] = (correct[label] ?? 0) + 1;
    }
  }
  return { total, correct };
}

/** Accuracy over the classes for which `include` holds (default all). */
export function accuracyOf(counts: ClassCounts, include: (digit: number) => boolean = () => true): number {
  let total = 0;
  let correct = 0;
  counts.total.forEach((n, digit) => {
    if (!include(digit)) return;
    total += n;
    correct += counts.correct[digit] ?? 0;
  });
  return total === 0 ? Number.NaN : correct / total;
}
