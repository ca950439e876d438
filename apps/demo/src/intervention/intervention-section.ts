// The report's intervention section (@tdhook/intervention): activation patching of the IOI model per head next
// to its AtP and RelP estimates with their correlations, head ablations as bars, activation-addition steering
// of the character model's generation, and conv2 channels of the MNIST CNN patched from one digit into another.
import { performance } from 'node:perf_hooks';

import { headSites, layerPositionSites } from '@tdhook/intervention';
import { generateIoiPrompts, ioiTemplates, loadIoiModel, loadMobyCharModel } from '@tdhook/nlp-assets';

import type { Figure, ReportSection, Table } from '../report/report-model.js';
import { fmt, type DemoContext } from '../vision/demo-context.js';
import { barChartSvg } from './bar-chart-svg.js';
import { steerCharModel, steeringSetup, type SteeringResult } from './char-steering.js';
import { gridPanels } from './grid-panels.js';
import { ablateHeads, type HeadAblation } from './head-ablation.js';
import { ioiPairs } from './ioi-pairs.js';
import { comparePatching, type EstimatedGrid, type PatchingComparison } from './ioi-patching.js';
import { digitPair, patchMnistChannels, type ChannelPatching } from './mnist-channel-patching.js';

const patchedPrompts = 16;
const patchedTemplate = 0;
const heatmapCell = 80;

const signed = (value: number): string => (value > 0 ? `+${fmt(value)}` : fmt(value));
/** "r 0.987, rho 0.952" (the grids' bitmap font has no Greek). */
const correlations = (estimate: EstimatedGrid | undefined): string =>
  `r ${fmt(estimate?.pearson ?? Number.NaN)}, rho ${fmt(estimate?.spearman ?? Number.NaN)}`;

interface IoiResults {
  readonly heads: PatchingComparison;
  readonly positions: PatchingComparison;
  readonly ablation: HeadAblation;
  readonly positionCount: number;
  readonly example: { readonly clean: string; readonly corrupted: string };
  readonly ablationPrompts: number;
}

async function studyIoi(context: DemoContext): Promise<IoiResults> {
  const { model, tokenizer } = await loadIoiModel();
  try {
    const prompts = generateIoiPrompts({
      seed: 21,
      count: patchedPrompts,
      split: 'held-out',
      template: patchedTemplate,
    });
    const pairs = ioiPairs(tokenizer, prompts);
    try {
      const { value: heads } = await context.timed(
        `IOI model: activation patching, AtP and RelP per head (${String(patchedPrompts)} prompt pairs)`,
        () => comparePatching(model, pairs, headSites(model.config)),
      );
      const { value: positions } = await context.timed(
        'IOI model: the same per (layer, position) of the residual stream',
        () => comparePatching(model, pairs, layerPositionSites(model.config, { positions: pairs.positions })),
      );
      // The IOI section's held-out prompts, so that the bars repeat its ablation table through the new method.
      const held = ioiTemplates.flatMap((_, template) =>
        generateIoiPrompts({ seed: 7 + template, count: 32, split: 'held-out', template }),
      );
      const { value: ablation } = await context.timed(
        `IOI model: ${String(model.config.nLayers * model.config.nHeads)} head ablations through steeringVectors`,
        () => ablateHeads(model, tokenizer, held),
      );
      return {
        heads,
        positions,
        ablation,
        positionCount: pairs.positions,
        example: { clean: pairs.cleanTexts[0] ?? '', corrupted: pairs.corruptedTexts[0] ?? '' },
        ablationPrompts: held.length,
      };
    } finally {
      pairs.clean.dispose();
      pairs.corrupted.dispose();
    }
  } finally {
    model.dispose();
  }
}

function correlationTable(ioi: IoiResults): Table {
  const line = (name: string, comparison: PatchingComparison): string[] => {
    const [atp, relp] = comparison.estimates;
    const cells = comparison.patching.values.length;
    return [
      name,
      String(cells),
      fmt(atp?.pearson ?? Number.NaN),
      fmt(atp?.spearman ?? Number.NaN),
      fmt(relp?.pearson ?? Number.NaN),
      fmt(relp?.spearman ?? Number.NaN),
      `${comparison.patchingSeconds.toFixed(2)} / ${(atp?.seconds ?? Number.NaN).toFixed(2)} / ${(relp?.seconds ?? Number.NaN).toFixed(2)}`,
    ];
  };
  return {
    caption: `How well AtP and RelP predict activation patching on the IOI model: correlation over the sites of each grid, effects averaged over ${String(patchedPrompts)} clean → corrupted prompt pairs`,
    header: [
      'grid',
      'sites',
      'AtP Pearson',
      'AtP Spearman',
      'RelP Pearson',
      'RelP Spearman',
      'seconds: patching / AtP / RelP',
    ],
    rows: [
      line('head (hook_z), layer × head', ioi.heads),
      line(`residual stream (hook_resid_pre), layer × position (${String(ioi.positionCount)})`, ioi.positions),
    ],
  };
}

function ablationFigure(ablation: HeadAblation): Figure {
  const drops = ablation.ablated.map((value) => ablation.clean - value);
  const largest = Math.max(...drops);
  const circuit = new Set(drops.flatMap((drop, index) => (drop >= 0.25 * largest ? [index] : [])));
  return {
    kind: 'svg',
    svg: barChartSvg({
      title: 'IOI model: drop of the logit difference when one head is zeroed',
      yLabel: 'drop of logit(answer) − logit(subject)',
      labels: ablation.labels,
      values: drops,
      highlight: circuit,
      format: (value) => value.toFixed(2),
      footnote: 'red: heads whose ablation costs at least a quarter of the largest drop',
    }),
    caption: `Head ablations through steeringVectors: a steer that returns zeros on the Target { path: 'blocks.L.attn.hook_z', featureAxis: 2, indices: [H] }, on the IOI section's held-out prompts (clean mean logit difference ${fmt(ablation.clean)}). The IOI section's table computes the same numbers with a hand-written hook.`,
  };
}

function ablationTable(ablation: HeadAblation, heads: PatchingComparison): Table {
  return {
    caption:
      'Each head ablated (zeroed) and patched (clean → corrupted): two views of the same circuit. Ablation removes a head; patching restores it alone into the corrupted run',
    header: ['head', 'mean logit difference, ablated', 'drop', 'patching effect', 'AtP', 'RelP'],
    rows: ablation.labels.map((label, index) => [
      label,
      fmt(ablation.ablated[index] ?? Number.NaN),
      fmt(ablation.clean - (ablation.ablated[index] ?? Number.NaN)),
      signed(heads.patching.values[index] ?? Number.NaN),
      signed(heads.estimates[0]?.grid.values[index] ?? Number.NaN),
      signed(heads.estimates[1]?.grid.values[index] ?? Number.NaN),
    ]),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function steeringFigure(steering: SteeringResult): Figure {
  const unsteered = steering.runs[0];
  const shown = steering.runs.find((run) => run.coefficient === steeringSetup.shown);
  const block = (label: string, texts: readonly string[] | undefined): string =>
    `<p style="margin:0.4rem 0 0.1rem;font-weight:600">${escapeHtml(label)}</p>` +
    (texts ?? [])
      .slice(0, 2)
      .map(
        (text) =>
          `<pre style="white-space:pre-wrap;margin:0 0 0.4rem;font-size:0.9rem"><span style="color:#777">${escapeHtml(steeringSetup.prompt)}</span>${escapeHtml(text)}</pre>`,
      )
      .join('');
  return {
    kind: 'html',
    html:
      block('without steering', unsteered?.texts) +
      block(`with the activation-addition vector × ${String(steeringSetup.shown)}`, shown?.texts),
    caption: `The character model continues “${steeringSetup.prompt}” (grey) by ${String(steeringSetup.newTokens)} characters, sampled at temperature ${String(steeringSetup.temperature)} with seed ${String(steeringSetup.seed)}: the first two of ${String(steeringSetup.samples)} samples, the same seed with and without the vector.`,
  };
}

function steeringTable(steering: SteeringResult): Table {
  return {
    caption: `Activation addition: dialogue marks (“ ” ‘ ’ ! ?) per 100 generated characters over ${String(steeringSetup.samples)} samples, per coefficient of the vector (norm ${fmt(steering.vectorNorm)}; the residual stream at ${steeringSetup.hook} has norm ${fmt(steering.residualNorm)} on the prompt)`,
    header: ['coefficient', 'dialogue marks per 100 characters', 'first sample (↵ = new line)'],
    rows: steering.runs.map((run) => [
      String(run.coefficient),
      run.marksPer100.toFixed(1),
      (run.texts[0] ?? '').replace(/\n/g, '↵'),
    ]),
  };
}

function mnistFigure(mnist: ChannelPatching): Figure {
  return {
    kind: 'svg',
    svg: barChartSvg({
      title: `MNIST CNN: one conv2 channel copied from a ${String(digitPair.source)} into a ${String(digitPair.receiver)}`,
      yLabel: `change of logit(${String(digitPair.source)}) − logit(${String(digitPair.receiver)})`,
      labels: mnist.effects.axes[0]?.labels.map((label) => `c${label}`) ?? [],
      values: Array.from(mnist.effects.values),
      highlight: new Set([mnist.strongest]),
      format: (value) => value.toFixed(2),
      footnote: `conv2 channel (red: the strongest); unpatched ${fmt(mnist.baseline)}, the ${String(digitPair.source)} itself ${fmt(mnist.source)}`,
    }),
    caption: `unitSites over conv2's 16 channels + activationPatchingGrid with logitDifference({ answer: ${String(digitPair.source)}, versus: ${String(digitPair.receiver)} }): each channel of the ${String(digitPair.source)}'s conv2 output written into the ${String(digitPair.receiver)}'s run, all 16 patched runs in one batched call. On the ${String(digitPair.receiver)} the difference is ${fmt(mnist.baseline)}; on the ${String(digitPair.source)} ${fmt(mnist.source)}.`,
  };
}

function mnistTable(mnist: ChannelPatching): Table {
  const { receiver, oneChannel, allChannels, source } = mnist.logits;
  return {
    caption: `MNIST CNN logits of the ${String(digitPair.receiver)} with conv2 patched from the ${String(digitPair.source)} (activationPatching): channel ${String(mnist.strongest)} alone, then all 16 channels`,
    header: [
      'class',
      `the ${String(digitPair.receiver)}`,
      `+ channel ${String(mnist.strongest)}`,
      '+ all of conv2',
      `the ${String(digitPair.source)}`,
    ],
    rows: receiver.map((value, digit) => [
      String(digit),
      fmt(value),
      fmt(oneChannel[digit] ?? Number.NaN),
      fmt(allChannels[digit] ?? Number.NaN),
      fmt(source[digit] ?? Number.NaN),
    ]),
  };
}

/** The intervention section of the report. */
export async function interventionSection(context: DemoContext): Promise<ReportSection> {
  const started = performance.now();
  const ioi = await studyIoi(context);
  const [atp, relp] = ioi.heads.estimates;
  const heatmaps = context.png(
    'intervention-ioi-heads.png',
    gridPanels(
      [
        { title: 'activation\npatching', grid: ioi.heads.patching },
        { title: `AtP\n${correlations(atp)}`, grid: atp?.grid ?? ioi.heads.patching },
        { title: `RelP\n${correlations(relp)}`, grid: relp?.grid ?? ioi.heads.patching },
      ],
      heatmapCell,
    ),
    `Per head (layer × head, hook_z): the effect of patching one head from the clean prompt into the corrupted one on logit(answer) − logit(subject), mean over ${String(patchedPrompts)} pairs, next to the AtP and RelP estimates of it (r: Pearson, rho: Spearman, over the 8 heads). Each panel has its own symmetric colour scale.`,
  );
  const { value: steering } = await context.timed('Character model: activation-addition steering of generation', async () => {
    const { model, tokenizer } = await loadMobyCharModel();
    try {
      return await steerCharModel(model, tokenizer);
    } finally {
      model.dispose();
    }
  });
  const { value: mnist } = await context.timed('MNIST CNN: conv2 channels patched from a 4 into a 9', () =>
    patchMnistChannels(),
  );
  const seconds = (performance.now() - started) / 1000;
  const unsteered = steering.runs[0];
  const shown = steering.runs.find((run) => run.coefficient === steeringSetup.shown);
  return {
    id: 'intervention',
    title: 'Intervention: activation patching, attribution patching and steering',
    shortTitle: 'intervention',
    paragraphs: [
      `@tdhook/intervention writes into a model instead of reading it. On the IOI model, ${String(patchedPrompts)} held-out prompts of one template are paired with a corrupted twin in which the other name is repeated (“${ioi.example.clean}” → “${ioi.example.corrupted}”), which flips the answer. The metric is logit(answer) − logit(subject) of the clean prompt, at the last position: ${fmt(ioi.heads.cleanMetric)} on the clean prompts, ${fmt(ioi.heads.corruptedMetric)} on the corrupted ones.`,
      'activationPatchingGrid copies one site at a time from the clean run into the corrupted run (every site and prompt stacked into batched passes) and measures how far the metric moves back; attributionPatching estimates all of those effects at once from two forward passes and one backward pass: AtP multiplies the activation difference by the metric’s gradient, RelP by the LRP relevance of the transformer rules. The table gives their Pearson and Spearman correlations with real patching, per grid.',
      `Steering: activationAddition takes the character model’s residual stream at ${steeringSetup.hook} on a line of dialogue (“${steeringSetup.positive}”) minus a line of narration (“${steeringSetup.negative}”); averaged over positions, steeringVectors + addVector add it at every step of adapter-nlp’s generate. With the vector × ${String(steeringSetup.shown)} the generated text holds ${shown?.marksPer100.toFixed(1) ?? '?'} dialogue marks per 100 characters instead of ${unsteered?.marksPer100.toFixed(1) ?? '?'}; larger coefficients push the 2-layer model off its text.`,
      `Vision: no single conv2 channel turns the MNIST CNN’s ${String(digitPair.receiver)} into a ${String(digitPair.source)} (the strongest, channel ${String(mnist.strongest)}, moves logit(${String(digitPair.source)}) − logit(${String(digitPair.receiver)}) by ${signed(mnist.effects.values[mnist.strongest] ?? Number.NaN)} from ${fmt(mnist.baseline)}); all 16 together do: the evidence is spread over the channels. This section took ${seconds.toFixed(1)} s.`,
    ],
    figures: [heatmaps, ablationFigure(ioi.ablation), steeringFigure(steering), mnistFigure(mnist)],
    tables: [
      correlationTable(ioi),
      ablationTable(ioi.ablation, ioi.heads),
      steeringTable(steering),
      mnistTable(mnist),
    ],
  };
}
