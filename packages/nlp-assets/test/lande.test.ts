import * as tf from '@tensorflow/tfjs-core';
import lande from 'lande';
import { registerHook } from '@tdhook/core';
import { describe, expect, it } from 'vitest';

import { featurizeLande, landeCharacterScores, landeFeatureNames, loadLande } from '../src/index.js';
import { landeReference } from './lande-reference.js';

/** Sentences in ten languages and scripts (and a few awkward inputs for the normaliser). */
const sentences = [
  'The quick brown fox jumps over the lazy dog while the children watch.',
  'Der schnelle braune Fuchs springt über den faulen Hund, und die Kinder lachen.',
  'Le renard brun rapide saute par-dessus le chien paresseux, et les enfants rient.',
  'El rápido zorro marrón salta sobre el perro perezoso mientras los niños miran.',
  'La volpe marrone veloce salta sopra il cane pigro mentre i bambini guardano.',
  'A rápida raposa marrom pula sobre o cão preguiçoso enquanto as crianças olham.',
  'De snelle bruine vos springt over de luie hond terwijl de kinderen kijken.',
  'Быстрая коричневая лиса прыгает через ленивую собаку, а дети смотрят.',
  'Η γρήγορη καφέ αλεπού πηδάει πάνω από τον τεμπέλικο σκύλο.',
  'Szybki brązowy lis przeskakuje nad leniwym psem, a dzieci patrzą.',
  'Hızlı kahverengi tilki tembel köpeğin üzerinden atlar ve çocuklar izler.',
  '我不知道他今天为什么没有来学校。',
];

describe('lande as a tdhook Module (parity with lande 1.0.10 itself)', () => {
  it('gives lande’s top-1 language and probabilities on sentences in twelve languages (max |Δp| ≤ 5e-5)', () => {
    const before = tf.memory().numTensors;
    const bundle = loadLande();
    let worst = 0;
    for (const sentence of sentences) {
      const ours = bundle.predict(sentence);
      const theirs = lande(sentence);
      expect(ours[0]?.[0]).toBe(theirs[0]?.[0]);
      const theirsByLanguage = new Map(theirs);
      for (const [language, p] of ours) {
        worst = Math.max(worst, Math.abs(p - (theirsByLanguage.get(language as never) as number)));
      }
    }
    // lande sums in float64, tf in float32: the largest difference seen is 1.7e-5 (French, p = 0.92).
    expect(worst).toBeLessThanOrEqual(5e-5);
    expect(bundle.predict(sentences[0] as string)[0]?.[0]).toBe('eng');
    expect(bundle.predict(sentences[1] as string)[0]?.[0]).toBe('deu');
    bundle.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('exposes dense layers with kernel, bias and forwardWith, and a differentiable input', () => {
    const bundle = loadLande();
    const { model } = bundle;
    expect(model.namedChildren().map(([name]) => name)).toEqual(['hidden', 'relu', 'output']);
    expect(model.hidden.kernel.shape).toEqual([620, 120]);
    expect(model.output.kernel.shape).toEqual([120, 50]);
    expect(model.output.bias.shape).toEqual([50]);
    const gradient = tf.tidy(() => {
      const x = bundle.input([sentences[1] as string]);
      const deu = bundle.languages.indexOf('deu');
      const g = tf.grad((input: tf.Tensor) => tf.sum(tf.slice(model.call(input), [0, deu], [1, 1])))(x);
      // Check the gradient by the chain rule written out: W_out[:, deu] masked by the active ReLUs, through W_hidden.
      const hidden = tf.add(tf.matMul(x, model.hidden.kernel), model.hidden.bias);
      const active = tf.cast(tf.greater(hidden, 0), 'float32');
      const column = tf.reshape(tf.slice(model.output.kernel, [0, deu], [120, 1]), [1, 120]);
      const expected = tf.matMul(tf.mul(active, column), model.hidden.kernel, false, true);
      return tf.max(tf.abs(tf.sub(g, expected))).dataSync()[0] as number;
    });
    expect(gradient).toBeLessThan(1e-5);
    bundle.dispose();
  });
});

describe('lande under core hooks', () => {
  it('lets a forward hook on relu zero hidden units, changing the output, and restores the model after', () => {
    const bundle = loadLande();
    const text = sentences[2] as string;
    const clean = bundle.predict(text);
    const handle = registerHook(bundle.model, 'relu', 'forward', (output) =>
      tf.zerosLike(output as tf.Tensor),
    );
    const ablated = bundle.predict(text);
    handle.remove();
    // With every hidden unit zeroed, the output is softmax(output.bias) whatever the text.
    const expected = tf.tidy(() => tf.softmax(bundle.model.output.bias).dataSync() as Float32Array);
    const byLanguage = new Map(ablated);
    bundle.languages.forEach((language, i) => {
      expect(byLanguage.get(language)).toBeCloseTo(expected[i] as number, 6);
    });
    expect(bundle.predict(text)).toEqual(clean);
    bundle.dispose();
  });
});

describe('featurizeLande', () => {
  const awkward = [
    ...sentences,
    '',
    '   ',
    'Well-known -- state-of-the-art  ideas;\n\tand 42 numbers!',
    'ΣΟΦΟΣ ΛΟΓΟΣ',
    'İstanbul’da İyi günler',
    'naïve café — «déjà vu»\u00a0 ok',
    '😀 emoji 😀 and 𝒜 math',
  ];

  it('normalises and counts exactly as lande does (same string, same float32 values)', () => {
    for (const text of awkward) {
      const ours = featurizeLande(text);
      const reference = landeReference(text);
      expect(ours.normalized).toBe(reference.normalized);
      expect(Array.from(ours.values)).toEqual(Array.from(reference.values));
    }
  });

  it('maps every occurrence to the characters it came from', () => {
    const text = 'Das Haus, das—wir sahen!';
    const features = featurizeLande(text);
    for (const { feature, start, end } of features.occurrences) {
      const ngram = landeFeatureNames[feature] as string;
      const source = text
        .slice(start, end)
        .toLowerCase()
        .replace(/[^\p{L}\p{M}\s]/gu, '')
        .replace(/\s+/g, ' ');
      // The span holds the n-gram's letters (lande's padding spaces have empty spans at the ends).
      expect(source.replace(/ /g, '')).toBe(ngram.replace(/ /g, ''));
    }
    // ' ha' (a word starting with ha) comes from ' H' + 'a' of ' Haus'.
    const ha = landeFeatureNames.indexOf(' ha');
    expect(
      features.occurrences.filter((o) => o.feature === ha).map((o) => text.slice(o.start, o.end)),
    ).toEqual([' Ha']);
  });

  it('spreads feature scores onto characters, conserving the sum over non-empty spans', () => {
    const text = 'Das ist gut.';
    const features = featurizeLande(text);
    const scores = landeFeatureNames.map((_, i) => (i % 7) - 3);
    const perChar = landeCharacterScores(features, scores);
    expect(perChar.length).toBe(text.length);
    const counted = new Map<number, number>();
    for (const { feature, start, end } of features.occurrences) {
      if (end > start) counted.set(feature, (counted.get(feature) ?? 0) + 1);
    }
    const perFeature = new Map<number, number>();
    for (const { feature } of features.occurrences)
      perFeature.set(feature, (perFeature.get(feature) ?? 0) + 1);
    let expected = 0;
    for (const [feature, n] of counted)
      expected += ((scores[feature] as number) * n) / (perFeature.get(feature) as number);
    expect(perChar.reduce((a, b) => a + b, 0)).toBeCloseTo(expected, 4);
    expect(perChar[11]).toBe(0); // '.' is removed by lande and lies in no span
    expect(() => landeCharacterScores(features, [1, 2])).toThrow(RangeError);
  });
});
