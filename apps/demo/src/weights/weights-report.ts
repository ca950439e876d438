// The weights section's figures and tables: the pruning curves, the sparse autoencoder's numbers and feature
// snippets, and the task-vector sweep.
import type { Figure, Table } from '../report/report-model.js';
import { fmt } from '../vision/demo-context.js';
import { saeHook } from './char-activations.js';
import { saeSetup, type CharSaeResult } from './char-sae.js';
import { featureSnippetsHtml } from './feature-snippets.js';
import { adequateShare, forgetSetup, type ForgetResult } from './forget-digit.js';
import { lineChartSvg } from './line-chart-svg.js';
import type { PruningCurve } from './pruning-curves.js';

export const percent = (value: number, digits = 1): string => `${(100 * value).toFixed(digits)} %`;
const colours = ['#1f77b4', '#d62728', '#2ca02c'] as const;

/** Accuracy against measured sparsity, one line per importance. */
export function pruningFigure(curves: readonly PruningCurve[], heldOut: number): Figure {
  return {
    kind: 'svg',
    svg: lineChartSvg({
      title: 'MNIST CNN pruned: held-out accuracy vs sparsity',
      xLabel: 'sparsity (measureSparsity: zero weights and biases / all 14,410)',
      yLabel: `accuracy on ${String(heldOut)} held-out digits`,
      series: curves.map((curve, index) => ({
        label: curve.name,
        colour: colours[index % colours.length] ?? '#000',
        points: curve.points.map((point) => [point.sparsity, point.accuracy] as const),
      })),
      xRange: [0, 1],
      yRange: [0, 1],
      xStep: 0.1,
      yStep: 0.1,
      formatX: (value) => `${(100 * value).toFixed(0)} %`,
      formatY: (value) => `${(100 * value).toFixed(0)} %`,
    }),
    caption:
      'Global unstructured pruning (pruning({ amount, importance }), prepared on the model, measured, restored) at 0–95 % of all parameters; every importance reaches the same measured sparsity. Magnitude scores each weight by |θ|; attribution by |θ| × the mean |gradient × activation| of the unit (conv channel or dense unit) it feeds, relative to its layer’s mean (saliency with multiplyByInputs on the layers’ outputs, true class, 500 calibration digits); Taylor by |θ ⊙ ∂loss/∂θ| (gradientImportance, cross-entropy on the same 500 digits).',
  };
}

/** The measured sparsity of one amount: one number when every importance reached it, else each. */
function sparsityCell(sparsities: readonly number[]): string {
  const cells = sparsities.map((sparsity) => percent(sparsity));
  return cells.every((cell) => cell === cells[0]) ? (cells[0] ?? '') : cells.join(' / ');
}

/** The pruning curves' numbers. */
export function pruningTable(curves: readonly PruningCurve[]): Table {
  const amounts = curves[0]?.points.map((point) => point.amount) ?? [];
  return {
    caption:
      'MNIST CNN: held-out accuracy after global pruning, per amount (sparsity as measured by measureSparsity; one value where every importance reached the same)',
    header: ['amount', 'sparsity', ...curves.map((curve) => `${curve.name} accuracy`)],
    rows: amounts.map((amount, index) => [
      percent(amount, 0),
      sparsityCell(curves.map((curve) => curve.points[index]?.sparsity ?? Number.NaN)),
      ...curves.map((curve) => percent(curve.points[index]?.accuracy ?? Number.NaN)),
    ]),
  };
}

/** The autoencoder's held-out numbers and the spliced losses. */
export function saeTable(sae: CharSaeResult): Table {
  const { metrics, losses } = sae;
  return {
    caption: `Sparse autoencoder on ${saeHook} (${String(sae.dModel)} → ${String(saeSetup.features)} features), on ${String(sae.heldOutRows)} held-out positions`,
    header: ['measure', 'value'],
    rows: [
      ['reconstruction MSE (per entry)', fmt(metrics.mse)],
      ['explained variance', percent(metrics.explainedVariance)],
      ['L0 (active features per position)', fmt(metrics.l0)],
      ['dead features (never active)', percent(metrics.deadFraction)],
      ['next-character loss, clean (nats)', losses.clean.toFixed(3)],
      ['… with the autoencoder spliced in', losses.spliced.toFixed(3)],
      ['… with the stream zeroed', losses.zeroAblated.toFixed(3)],
      ['loss recovered', percent(losses.lossRecovered)],
    ],
  };
}

/** The top-activating snippets of a few features. */
export function snippetsFigure(sae: CharSaeResult): Figure {
  return {
    kind: 'html',
    html: featureSnippetsHtml(sae.features),
    caption:
      'Top-activating held-out positions of four features (among those active on 0.5–10 % of positions, by their largest activation): the text the model had read, the character at the position highlighted, the next characters grey (not yet seen), the feature’s activation on the right.',
  };
}

/** Accuracy on the forgotten digit and on the rest against α, the chosen α marked. */
export function forgetFigure(forget: ForgetResult): Figure {
  const { digit } = forgetSetup;
  const floor = adequateShare * forget.original.rest;
  const alphas = forget.points.map((point) => point.alpha);
  return {
    kind: 'svg',
    svg: lineChartSvg({
      title: `MNIST CNN: θ_pre − α·τ, τ from fine-tuning on ${String(digit)}s only`,
      xLabel: 'α (the forget vector’s scale)',
      yLabel: 'held-out accuracy',
      series: [
        {
          label: `on ${String(digit)}s`,
          colour: colours[1],
          points: forget.points.map((point) => [point.alpha, point.forgotten] as const),
        },
        {
          label: 'on the other digits',
          colour: colours[0],
          points: forget.points.map((point) => [point.alpha, point.rest] as const),
        },
        {
          label: `adequacy floor ${percent(floor)}`,
          colour: '#7f7f7f',
          dashed: true,
          points: [
            [Math.min(...alphas), floor],
            [Math.max(...alphas), floor],
          ],
        },
      ],
      xRange: [Math.min(...alphas), Math.max(...alphas)],
      yRange: [0, 1],
      xStep: 0.5,
      yStep: 0.1,
      formatX: (value) => String(value),
      formatY: (value) => `${(100 * value).toFixed(0)} %`,
      markers: [{ x: forget.chosen, label: `chosen α = ${String(forget.chosen)}` }],
    }),
    caption: `chooseAlpha over α ∈ {${alphas.join(', ')}} with accuracy = 1 − accuracy on the ${String(digit)}s and adequate = accuracy on the other digits ≥ ${percent(adequateShare, 0)} of the original model’s (${percent(forget.original.rest)}); each α applied to the model and restored exactly.`,
  };
}

/** The sweep's numbers. */
export function forgetTable(forget: ForgetResult): Table {
  const { digit } = forgetSetup;
  return {
    caption: `Task vectors: accuracy on the ${String(digit)}s and on the other digits for θ_pre − α·τ (chosen α = ${String(forget.chosen)})`,
    header: ['α', `accuracy on ${String(digit)}s`, 'accuracy on the others', 'adequate', 'chosen'],
    rows: forget.points.map((point) => [
      String(point.alpha),
      percent(point.forgotten),
      percent(point.rest),
      point.adequate ? 'yes' : 'no',
      point.alpha === forget.chosen ? '←' : '',
    ]),
  };
}
