// The IOI model trained in this repository (@tdhook/nlp-assets): its held-out accuracy, the attention patterns
// of one prompt, token attributions for the answer (integrated gradients and LRP), and head ablations: which
// heads carry the circuit, measured as the drop of the logit difference when a head's output is zeroed.
import * as tf from '@tensorflow/tfjs-core';
import { registerHook } from '@tdhook/core';
import {
  attentionPatternPng,
  attributeTokens,
  attributionHtml,
  type AttributedText,
  type HookedTransformer,
  type Tokenizer,
} from '@tdhook/adapter-nlp';
import { generateIoiPrompts, ioiTemplates, loadIoiModel, type IoiPrompt } from '@tdhook/nlp-assets';

import type { Figure, ReportSection } from '../report/report-model.js';
import { fmt, type DemoContext } from '../vision/demo-context.js';

/** Logit(answer) − logit(subject) at the last position, per prompt, and whether the answer wins. */
interface IoiScore {
  readonly logitDiffs: number[];
  readonly accuracy: number;
}

// Prompts of one template have the same length: one batch per template.
function scorePrompts(
  model: HookedTransformer,
  tokenizer: Tokenizer,
  prompts: readonly IoiPrompt[],
): IoiScore {
  const scores = ioiTemplates.map((_, template) =>
    scoreBatch(
      model,
      tokenizer,
      prompts.filter((prompt) => prompt.template === template),
    ),
  );
  const logitDiffs = scores.flatMap((score) => score.logitDiffs);
  const correct = scores.reduce((sum, score) => sum + score.accuracy * score.logitDiffs.length, 0);
  return { logitDiffs, accuracy: correct / logitDiffs.length };
}

function scoreBatch(model: HookedTransformer, tokenizer: Tokenizer, prompts: readonly IoiPrompt[]): IoiScore {
  if (prompts.length === 0) return { logitDiffs: [], accuracy: 0 };
  const ids = prompts.map((prompt) => tokenizer.encode(prompt.text));
  const answers = prompts.map((prompt) => tokenizer.encode(prompt.answer)[0] ?? 0);
  const subjects = prompts.map((prompt) => tokenizer.encode(prompt.subject)[0] ?? 0);
  const last = tf.tidy(() => {
    const logits = model.call(tf.tensor2d(ids, undefined, 'int32'));
    const [batch = 0, positions = 0, vocabulary = 0] = logits.shape;
    return tf.reshape(tf.slice(logits, [0, positions - 1, 0], [batch, 1, vocabulary]), [batch, vocabulary]);
  });
  const rows = last.arraySync() as number[][];
  last.dispose();
  const logitDiffs = rows.map((row, i) => (row[answers[i] ?? 0] ?? 0) - (row[subjects[i] ?? 0] ?? 0));
  const accuracy = rows.filter((row, i) => row.indexOf(Math.max(...row)) === answers[i]).length / rows.length;
  return { logitDiffs, accuracy };
}

const trainingFact = (value: unknown): string => (typeof value === 'number' ? String(value) : '?');

const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;

/** Scores the prompts with one head's output (`hook_z[:, :, head, :]`) set to zero. */
function ablateHead(
  model: HookedTransformer,
  tokenizer: Tokenizer,
  prompts: readonly IoiPrompt[],
  layer: number,
  head: number,
): IoiScore {
  const { nHeads } = model.config;
  const keep = tf.tensor4d(
    Array.from({ length: nHeads }, (_, h) => (h === head ? 0 : 1)),
    [1, 1, nHeads, 1],
  );
  const handle = registerHook(model, `blocks.${String(layer)}.attn.hook_z`, 'forward', (z) =>
    tf.mul(z as tf.Tensor, keep),
  );
  try {
    return scorePrompts(model, tokenizer, prompts);
  } finally {
    handle.remove();
    keep.dispose();
  }
}

async function attentionFigures(
  context: DemoContext,
  model: HookedTransformer,
  tokenizer: Tokenizer,
  prompt: IoiPrompt,
): Promise<Figure[]> {
  const ids = tokenizer.encode(prompt.text);
  const tokens = tokenizer.tokens(ids);
  const input = tf.tensor2d([ids], undefined, 'int32');
  const { logits, cache } = model.runWithCache(input, { names: /hook_pattern$/ });
  logits.dispose();
  input.dispose();
  const figures: Figure[] = [];
  try {
    for (let layer = 0; layer < model.config.nLayers; layer++) {
      const pattern = cache
        .getTensor(`blocks.${String(layer)}.attn.hook_pattern`)
        .arraySync() as number[][][][];
      const png = await attentionPatternPng(pattern[0] ?? [], tokens, {
        title: `IOI model, layer ${String(layer)}: attention of every head`,
        columns: model.config.nHeads,
      });
      figures.push(
        context.png(
          `nlp-ioi-attention-layer${String(layer)}.png`,
          png,
          `Attention patterns of layer ${String(layer)} (hook_pattern, one panel per head; rows: query position, columns: key position) on “${prompt.text}”.`,
        ),
      );
    }
  } finally {
    cache.dispose();
  }
  return figures;
}

function attributionFigure(model: HookedTransformer, tokenizer: Tokenizer, prompt: IoiPrompt): Figure {
  const { ids, offsets } = tokenizer.encodeWithOffsets(prompt.text);
  const answer = tokenizer.encode(prompt.answer)[0] ?? 0;
  const subject = tokenizer.encode(prompt.subject)[0] ?? 0;
  const rows: AttributedText[] = [];
  for (const [method, label] of [
    ['ig', 'integrated gradients (50 steps, zero baseline)'],
    ['lrp', 'LRP (RelP rules for transformers)'],
  ] as const) {
    const result = attributeTokens(model, [ids], { method, target: { token: answer, versus: subject } });
    result.attribution.dispose();
    rows.push({
      tokens: tokenizer.tokens(ids),
      scores: result.scores[0] ?? [],
      text: prompt.text,
      offsets,
      label: `${label}: logit(${prompt.answer}) − logit(${prompt.subject}) = ${fmt(result.targetValues[0] ?? NaN)}`,
    });
  }
  return {
    kind: 'html',
    html: attributionHtml(rows, { standalone: false, scale: 'row' }),
    caption: `Which tokens make the model answer “${prompt.answer}” rather than “${prompt.subject}”: red pushes towards the answer, blue away (hover a token for its value). Each row is scaled to its own largest |score|.`,
  };
}

/** The IOI section of the report. */
export async function ioiSection(context: DemoContext): Promise<ReportSection> {
  const { model, tokenizer, training } = await loadIoiModel();
  try {
    const prompts = ioiTemplates.flatMap((_, template) =>
      generateIoiPrompts({ seed: 7 + template, count: 32, split: 'held-out', template }),
    );
    const clean = scorePrompts(model, tokenizer, prompts);
    context.log(
      `IOI model: held-out accuracy ${(100 * clean.accuracy).toFixed(1)} %, mean logit difference ${fmt(mean(clean.logitDiffs))}`,
    );
    const [shown] = generateIoiPrompts({ seed: 3, count: 1, split: 'held-out', template: 0 });
    const prompt = shown as IoiPrompt;
    const figures = await attentionFigures(context, model, tokenizer, prompt);
    const { value: attribution } = await context.timed('IOI model: IG and LRP of the answer', () =>
      attributionFigure(model, tokenizer, prompt),
    );
    figures.push(attribution);
    const ablations: string[][] = [];
    const { nLayers, nHeads } = model.config;
    for (let layer = 0; layer < nLayers; layer++) {
      for (let head = 0; head < nHeads; head++) {
        const ablated = ablateHead(model, tokenizer, prompts, layer, head);
        const drop = mean(clean.logitDiffs) - mean(ablated.logitDiffs);
        ablations.push([
          `L${String(layer)}H${String(head)}`,
          fmt(mean(ablated.logitDiffs)),
          fmt(drop),
          `${(100 * ablated.accuracy).toFixed(1)} %`,
        ]);
      }
    }
    context.log(`IOI model: ${String(nLayers * nHeads)} head ablations`);
    const config = model.config;
    return {
      id: 'nlp-ioi',
      title: 'A language model: indirect-object identification',
      shortTitle: 'IOI model',
      paragraphs: [
        `A ${String(config.nLayers)}-layer attention-only transformer (d_model ${String(config.dModel)}, ${String(config.nHeads)} heads, ${String(config.dVocab)} word tokens) trained in this repository by @tdhook/nlp-assets on IOI prompts (“When Mary and John went to the store, John gave a drink to” → Mary; names from @stdlib's first-name lists, several templates, both name orders). Training: ${trainingFact(training.steps)} steps, ${trainingFact(training.seconds)} s. On ${String(prompts.length)} held-out prompts (name pairs never seen in training) it names the indirect object ${(100 * clean.accuracy).toFixed(1)} % of the time, with a mean logit difference logit(answer) − logit(subject) of ${fmt(mean(clean.logitDiffs))}.`,
        'The model is an @tdhook/adapter-nlp HookedTransformer: every tensor TransformerLens names is a hook point. The patterns come from runWithCache; the ablations zero one head’s hook_z through a core forward hook; the attributions run @tdhook/attribution’s methods through the token embeddings.',
      ],
      figures,
      tables: [
        {
          caption: `Head ablations: one head’s output (hook_z) set to zero, on the same ${String(prompts.length)} held-out prompts (clean mean logit difference ${fmt(mean(clean.logitDiffs))}, accuracy ${(100 * clean.accuracy).toFixed(1)} %)`,
          header: ['head', 'mean logit difference', 'drop', 'accuracy'],
          rows: ablations,
        },
      ],
    };
  } finally {
    model.dispose();
  }
}
