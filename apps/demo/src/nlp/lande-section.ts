// lande, the npm language identifier (a 620-feature character n-gram MLP), as a real pretrained NLP model:
// integrated gradients of log p(predicted language) w.r.t. the n-gram features, spread back onto the
// characters of each sentence, shown as shaded text.
import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import { integratedGradients } from '@tdhook/attribution';
import { attributionHtml, type AttributedText } from '@tdhook/adapter-nlp';
import { landeCharacterScores, loadLande } from '@tdhook/nlp-assets';

import type { ReportSection } from '../report/report-model.js';
import { fmt, type DemoContext } from '../vision/demo-context.js';

const sentences: readonly string[] = [
  'The old sailor walked slowly along the harbour, watching the ships come in.',
  'Der alte Seemann ging langsam am Hafen entlang und sah den Schiffen zu.',
  'Le vieux marin marchait lentement le long du port en regardant les navires.',
];

/** The lande section of the report. */
export function landeSection(context: DemoContext): ReportSection {
  const lande = loadLande();
  try {
    const rows: AttributedText[] = [];
    const table: string[][] = [];
    for (const text of sentences) {
      const [[language, probability] = ['?', NaN], [second, secondProbability] = ['?', NaN]] =
        lande.predict(text);
      const unit = lande.languages.indexOf(language);
      using data = new TensorDict({ input: lande.input([text]) }, { batchShape: [1] });
      // Explained: log p(language), which does not depend on the logits' common level (a softmax ignores it).
      const oneHot = tf.tidy(() => tf.cast(tf.oneHot([unit], lande.languages.length), 'float32'));
      const logProbability = (logits: tf.Tensor): tf.Tensor =>
        tf.sum(tf.mul(tf.logSoftmax(logits), oneHot), -1);
      using prepared = integratedGradients({
        target: { select: logProbability },
        baselines: 0,
      }).prepare(lande.model);
      using result = prepared.run(data);
      const attribution = Array.from(result.getTensor(['attr', 'input']).dataSync());
      oneHot.dispose();
      const features = lande.featurize(text);
      const perCharacter = Array.from(landeCharacterScores(features, attribution));
      // One token per UTF-16 unit: the character scores are indexed by string position.
      const characters = Array.from({ length: text.length }, (_, index) => text.charAt(index));
      rows.push({
        tokens: characters,
        scores: perCharacter,
        label: `${language} (p = ${probability.toFixed(3)}): integrated gradients of log p(${language})`,
      });
      table.push([
        text.length > 48 ? `${text.slice(0, 45)}…` : text,
        `${language} ${probability.toFixed(3)}`,
        `${second} ${secondProbability.toFixed(3)}`,
        fmt(attribution.reduce((sum, value) => sum + value, 0)),
      ]);
    }
    context.log(`lande: ${String(sentences.length)} sentences explained`);
    return {
      id: 'nlp-lande',
      title: 'A pretrained model: which characters make lande say English, German or French',
      shortTitle: 'lande',
      paragraphs: [
        'lande 1.0.10 (MIT) identifies 50 languages with a small MLP over 620 character n-gram frequencies (620 → 120 ReLU → 50). @tdhook/nlp-assets copies its weights into a tdhook Module and reproduces its featurizer, so its probabilities equal lande’s own. Integrated gradients (50 steps, from the empty text: all features zero) attributes log p(predicted language) to the 620 n-gram features; each feature’s share is spread over the characters of its occurrences.',
      ],
      figures: [
        {
          kind: 'html',
          html: attributionHtml(rows, { standalone: false, scale: 'row' }),
          caption:
            'Red characters push towards the predicted language, blue ones away (hover for values); each row is scaled to its own largest |score|.',
        },
      ],
      tables: [
        {
          caption:
            'lande’s two most probable languages, and the sum of the attribution: log p(x) − log p(empty text)',
          header: ['sentence', 'first', 'second', 'Σ attribution'],
          rows: table,
        },
      ],
    };
  } finally {
    lande.dispose();
  }
}
