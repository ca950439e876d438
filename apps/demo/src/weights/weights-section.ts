// The report's weights section (@tdhook/weights): the MNIST CNN pruned by magnitude, attribution and Taylor
// importance (accuracy-vs-sparsity curves), a sparse autoencoder on the character model's residual stream
// (reconstruction, L0, the model's loss with it spliced in, top-activating snippets), and a task vector that
// makes the MNIST CNN forget a digit (accuracy vs α, the α chooseAlpha picks).
import { performance } from 'node:perf_hooks';

import type { ReportSection } from '../report/report-model.js';
import { fmt, type DemoContext } from '../vision/demo-context.js';
import { saeSetup, studyCharSae, type CharSaeResult } from './char-sae.js';
import { saeHook } from './char-activations.js';
import { visibleChar } from './feature-snippets.js';
import { adequateShare, forgetSetup, type ForgetResult } from './forget-digit.js';
import { mnistSlices, studyMnistWeights } from './mnist-weights.js';
import type { PruningCurve, PruningPoint } from './pruning-curves.js';
import {
  forgetFigure,
  forgetTable,
  percent,
  pruningFigure,
  pruningTable,
  saeTable,
  snippetsFigure,
} from './weights-report.js';

/** "at 80 %: magnitude 94.2 %, attribution × |θ| 60.9 %, …" for one amount. */
function curvesAt(curves: readonly PruningCurve[], amount: number): string {
  const values = curves.map((curve) => {
    const point = curve.points.find((candidate) => candidate.amount === amount);
    return `${curve.name} ${percent(point?.accuracy ?? Number.NaN)}`;
  });
  return `at ${percent(amount, 0)} sparsity ${values.join(', ')}`;
}

/** The highest amount at which a curve stays within 1 point of the unpruned accuracy. */
function lossless(curve: PruningCurve): number {
  const base = curve.points[0]?.accuracy ?? Number.NaN;
  return Math.max(
    ...curve.points.filter((point) => point.accuracy >= base - 0.01).map((point) => point.amount),
  );
}

/** Mean accuracy of a curve from 80 to 90 % sparsity. */
function highAccuracy(curve: PruningCurve): number {
  const high = curve.points.filter((point) => point.amount >= 0.8 && point.amount <= 0.9);
  return high.reduce((sum, point) => sum + point.accuracy, 0) / high.length;
}

/** "conv1 12 %, conv2 71 %, …": where one point's zeros are, per kernel. */
function kernelsText(point: PruningPoint | undefined): string {
  return (point?.kernels ?? [])
    .map((kernel) => `${kernel.key.replace(/\.kernel$/, '')} ${percent(kernel.fraction, 0)}`)
    .join(', ');
}

/** Which score holds best at 80–90 %, and where each one puts its zeros at 80 % (measureSparsity per kernel). */
function bestParagraph(curves: readonly PruningCurve[]): string {
  const ranked = [...curves].sort((a, b) => highAccuracy(b) - highAccuracy(a));
  const at80 = (curve: PruningCurve): PruningPoint | undefined =>
    curve.points.find((point) => point.amount === 0.8);
  const where = curves.map((curve) => `${curve.name}: ${kernelsText(at80(curve))}`).join('; ');
  // The kernels where the curve that falls furthest has more zeros than every other score.
  const worst = ranked.at(-1);
  const fraction = (curve: PruningCurve, key: string): number =>
    at80(curve)?.kernels.find((kernel) => kernel.key === key)?.fraction ?? Number.NaN;
  const heavier = (at80(worst as PruningCurve)?.kernels ?? [])
    .filter(({ key, fraction: own }) =>
      curves.every((curve) => curve === worst || fraction(curve, key) < own),
    )
    .map((kernel) => kernel.key.replace(/\.kernel$/, ''));
  const why =
    heavier.length > 0 && heavier.every((layer) => layer.startsWith('conv'))
      ? ` ${worst?.name ?? ''}, which falls furthest, zeroes more of ${heavier.join(' and ')} than the others: the convolutions’ few weights feed every later unit, so this is the likely reason (not tested further here).`
      : '';
  return `From 80 to 90 % sparsity the mean accuracy ranks ${ranked.map((curve) => `${curve.name} (${percent(highAccuracy(curve))})`).join(' > ')}. At the same 80 % overall the scores put their zeros in different layers (measureSparsity per kernel; ${where}).${why}`;
}

function pruningParagraph(curves: readonly PruningCurve[]): string {
  const base = curves[0]?.points[0]?.accuracy ?? Number.NaN;
  return `Pruning: pruning({ amount, importance }) zeroes the lowest-scored fraction of all 14,410 weights and biases of the MNIST CNN at once (global unstructured, as torch’s global_unstructured), for as long as it is prepared; measureSparsity reads the zeros back (the x axis) and restoring puts every value back bit for bit. Unpruned the CNN classifies ${percent(base)} of ${String(mnistSlices.heldOut.count)} held-out test digits; ${[0.7, 0.8, 0.9].map((amount) => curvesAt(curves, amount)).join('; ')}. Within one point of the unpruned accuracy up to ${curves.map((curve) => `${percent(lossless(curve), 0)} (${curve.name})`).join(', ')}. ${bestParagraph(curves)}`;
}

function saeParagraphs(sae: CharSaeResult): string[] {
  const { metrics, losses } = sae;
  const features = sae.features
    .map(
      (feature) =>
        `feature ${String(feature.feature)} (${String(feature.commonCount)} of its top 20 at “${visibleChar(feature.commonChar)}”)`,
    )
    .join(', ');
  return [
    `Sparse autoencoder: the Moby Dick character model’s residual stream between its two blocks (${saeHook}, ${String(sae.dModel)} wide) was cached with cacheDataset on ${String(sae.trainRows)} positions of training text (${String(saeSetup.trainWindows)} windows of 64 characters) and a SparseAutoencoder with ${String(saeSetup.features)} TopK features (k = ${String(saeSetup.topK)}: the ${String(saeSetup.topK)} largest pre-activations of each position kept, the rest zeroed) trained on it by trainSparseAutoencoder (seed ${String(saeSetup.seed)}, ${String(saeSetup.epochs)} epochs, ${String(sae.steps)} Adam steps in ${sae.trainSeconds.toFixed(1)} s). On ${String(sae.heldOutRows)} held-out positions (the end of the novel) it reconstructs the stream with MSE ${fmt(metrics.mse)} per entry, explaining ${percent(metrics.explainedVariance)} of its variance, with ${fmt(metrics.l0)} features active per position (L0; at most k) and ${percent(metrics.deadFraction)} of the features never active there (dead).`,
    `Spliced into the model in place of the stream (splicedEvaluation: the adapters method replaces the hook’s output by the autoencoder’s reconstruction), the next-character loss is ${losses.spliced.toFixed(3)} nats against ${losses.clean.toFixed(3)} clean and ${losses.zeroAblated.toFixed(3)} with the stream zeroed: the autoencoder recovers ${percent(losses.lossRecovered)} of the loss that zeroing loses. The snippets below show where four of its features fire most: ${features}.`,
  ];
}

/** What the α after the chosen one would have done (it was not adequate, or forgot less). */
function nextParagraph(forget: ForgetResult): string {
  const index = forget.points.findIndex((point) => point.alpha === forget.chosen);
  const next = forget.points[index + 1];
  if (next === undefined) return '';
  const verdict = next.adequate ? 'it was adequate but forgot no more' : `the others fell below the floor`;
  return ` The next α, ${String(next.alpha)}, would take the ${String(forgetSetup.digit)}s to ${percent(next.forgotten)} and the others to ${percent(next.rest)}: ${verdict} (every α in the table).`;
}

function forgetParagraph(forget: ForgetResult): string {
  const { digit } = forgetSetup;
  const chosen = forget.points.find((point) => point.alpha === forget.chosen);
  return `Task vectors: a copy of the CNN fine-tuned for ${String(forget.fineTuned.steps)} Adam steps on ${String(forget.fineTuned.images)} training ${String(digit)}s only (all labelled ${String(digit)}; ${forget.fineTuned.seconds.toFixed(1)} s) gets ${percent(1 - forget.fineTunedAccuracy.rest)} of the other held-out digits wrong (it learnt to answer ${String(digit)}). τ = θ_ft − θ_pre (taskVector; ‖τ‖ ${fmt(forget.vectorNorm)} against ‖θ_pre‖ ${fmt(forget.pretrainedNorm)}) points towards “everything is a ${String(digit)}”; forgetVector negates it, and θ_pre − α·τ makes the model stop answering ${String(digit)}. chooseAlpha tried ${String(forget.points.length)} values of α, each applied and restored exactly, with accuracy = 1 − accuracy on the ${String(digit)}s and adequate = accuracy on the other digits ≥ ${percent(adequateShare, 0)} of the original’s (${percent(forget.original.rest)} → floor ${percent(adequateShare * forget.original.rest)}). It chose α = ${String(forget.chosen)}: accuracy on the ${String(digit)}s falls from ${percent(forget.original.forgotten)} to ${percent(chosen?.forgotten ?? Number.NaN)} while the others keep ${percent(chosen?.rest ?? Number.NaN)}.${nextParagraph(forget)}`;
}

/** The weights section of the report. */
export async function weightsSection(context: DemoContext): Promise<ReportSection> {
  const started = performance.now();
  const mnist = await studyMnistWeights(context);
  const { value: sae } = await context.timed(
    'Character model: sparse autoencoder on the residual stream, trained and spliced in',
    () =>
      studyCharSae((message) => {
        context.log(message);
      }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    id: 'weights',
    title: 'Weights: pruning, a sparse autoencoder and task vectors',
    shortTitle: 'weights',
    paragraphs: [
      `@tdhook/weights reads and edits a model’s parameters: pruning for as long as a method is prepared, dictionaries spliced into a layer, weight-space arithmetic; each edit is undone exactly afterwards. This section took ${seconds.toFixed(1)} s.`,
      pruningParagraph(mnist.curves),
      ...saeParagraphs(sae),
      forgetParagraph(mnist.forget),
    ],
    figures: [pruningFigure(mnist.curves, mnist.heldOut), snippetsFigure(sae), forgetFigure(mnist.forget)],
    tables: [pruningTable(mnist.curves), saeTable(sae), forgetTable(mnist.forget)],
  };
}
