// Builds the hookable lande model from lande 1.0.10's own weights, decoded by toygrad 2.6.0 (the library lande
// runs on), and bundles it with the featurizer and the language codes.
import * as tf from '@tensorflow/tfjs-core';
import { NeuralNetwork } from 'toygrad';

import { featurizeLande, type LandeFeatures } from './lande-features.js';
import { readLandeLanguages, readLandeOptions } from './lande-files.js';
import { LandeDense, LandeModel } from './lande-model.js';

/**
 * lande as a tdhook model: the network, its 50 language codes (ISO 639-3, output order), and helpers that
 * go from text to input and to lande's own result.
 *
 * @example
 * const lande: LandeBundle = loadLande();
 */
export interface LandeBundle {
  readonly model: LandeModel;
  /** The 50 output languages, ISO 639-3 codes (`eng`, `deu`, `fra`, …), in output order. */
  readonly languages: readonly string[];
  /** The features of a text: {@link featurizeLande}. */
  featurize(text: string): LandeFeatures;
  /** The model's input `[texts.length, 620]` (caller disposes). */
  input(texts: readonly string[]): tf.Tensor2D;
  /** What `lande(text)` returns: `[language, probability]` pairs, most probable first. */
  predict(text: string): [string, number][];
  /** Disposes the model's weights. */
  dispose(): void;
}

interface ToygradDense {
  readonly filters: readonly { readonly w: Float32Array }[];
  readonly biases: { readonly w: Float32Array };
}

/** A toygrad dense layer's weights as `[inputs, outputs]` kernel and bias. */
function denseFrom(layer: ToygradDense): LandeDense {
  const outputs = layer.filters.length;
  const inputs = (layer.filters[0] as { w: Float32Array }).w.length;
  const kernel = new Float32Array(inputs * outputs);
  layer.filters.forEach((filter, o) => {
    for (let i = 0; i < inputs; i++) kernel[i * outputs + o] = filter.w[i] as number;
  });
  return new LandeDense(
    tf.tensor2d(kernel, [inputs, outputs]),
    tf.tensor1d(Float32Array.from(layer.biases.w)),
  );
}

/**
 * Loads lande (npm `lande` 1.0.10, MIT, Fabio Spampinato) as a hookable, differentiable tdhook Module:
 * toygrad decodes lande's quantised weights; the 620×120 and 120×50 dense layers are copied into
 * {@link LandeModel}. Fast (about 0.1 s) and synchronous; dispose the bundle when done.
 *
 * @example
 * import { loadLande } from '@tdhook/nlp-assets';
 * const lande = loadLande();
 * lande.predict('Das ist ein kleines Haus.')[0]; // ['deu', 0.99…]
 * lande.dispose();
 */
export function loadLande(): LandeBundle {
  const network = new NeuralNetwork(readLandeOptions() as ConstructorParameters<typeof NeuralNetwork>[0]);
  const layers = network.layers as unknown as readonly unknown[];
  const model = new LandeModel(denseFrom(layers[1] as ToygradDense), denseFrom(layers[3] as ToygradDense));
  const languages = readLandeLanguages();
  const input = (texts: readonly string[]): tf.Tensor2D => {
    const data = new Float32Array(texts.length * 620);
    texts.forEach((text, row) => {
      data.set(featurizeLande(text).values, row * 620);
    });
    return tf.tensor2d(data, [texts.length, 620]);
  };
  return {
    model,
    languages,
    featurize: featurizeLande,
    input,
    predict(text: string): [string, number][] {
      const probabilities = tf.tidy(() => tf.softmax(model.call(input([text]))).dataSync() as Float32Array);
      return Array.from(probabilities, (p, i): [string, number] => [languages[i] as string, p]).sort(
        (a, b) => b[1] - a[1],
      );
    },
    dispose: () => {
      model.dispose();
    },
  };
}
