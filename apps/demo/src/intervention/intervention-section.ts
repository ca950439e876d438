// The report's intervention section (@tdhook/intervention): activation patching of the IOI model per head next
// to its AtP and RelP estimates with their correlations, head ablations as bars, activation-addition steering
// of the character model's generation, and conv2 channels of the MNIST CNN patched from one digit into another.
import { performance } from 'node:perf_hooks';

import type { LabelledGrid } from '@tdhook/intervention';
import { loadMobyCharModel } from '@tdhook/nlp-assets';

import type { ReportSection } from '../report/report-model.js';
import { fmt, type DemoContext } from '../vision/demo-context.js';
import { steerCharModel, steeringSetup } from './char-steering.js';
import { ablationFigure, correlationTable, headHeatmaps, headTable, signed } from './ioi-report.js';
import type { EstimatedGrid } from './ioi-patching.js';
import { patchedPrompts, studyIoi, type IoiResults } from './ioi-study.js';
import { digitPair, patchMnistChannels, type ChannelPatching } from './mnist-channel-patching.js';
import { channelFigure, logitTable } from './mnist-report.js';
import { steeringFigure, steeringTable } from './steering-report.js';

/** The residual-stream site where patching moves the metric most, with both estimates there and their ratios. */
function strongestSite(ioi: IoiResults): string {
  const { patching, estimates } = ioi.positions;
  const values = Array.from(patching.values);
  const site = values.indexOf(Math.max(...values));
  const effect = values[site] ?? Number.NaN;
  const estimate = (one: EstimatedGrid | undefined): string => {
    const value = one?.grid.values[site] ?? Number.NaN;
    return `${one?.name ?? '?'} ${signed(value)} (${(value / effect).toFixed(2)}×)`;
  };
  return `where patching moves the metric most it moves it by ${signed(effect)}, ${estimate(estimates[0])}, ${estimate(estimates[1])}`;
}

/** Where AtP and RelP miss a head, and why: the effect that goes through layer 1's attention pattern. */
function disagreement(ioi: IoiResults): string[] {
  const { frozen, heads, flippedHeads } = ioi;
  const { head, label } = frozen;
  const [atp, relp] = heads.estimates;
  const flippedAtp = flippedHeads.estimates[0];
  // An estimate's total over layer 1's heads as a share of patching's.
  const layerOne = (grid: LabelledGrid | undefined): number =>
    (grid?.rows()[1] ?? []).reduce((sum, value) => sum + value, 0);
  const percent = (estimate: EstimatedGrid | undefined): string =>
    `${((100 * layerOne(estimate?.grid)) / layerOne(heads.patching)).toFixed(0)} %`;
  const at = (grid: LabelledGrid | undefined): string => signed(grid?.at(0, head) ?? Number.NaN);
  const paragraphs = [
    `Where the estimates disagree: ${label}. Patched alone it moves the metric by ${signed(frozen.effect)}; AtP says ${at(atp?.grid)}, RelP ${at(relp?.grid)}.`,
    `Its effect runs through layer 1’s attention pattern (which name the layer-1 heads read): with that pattern held at its corrupted value (steeringVectors on blocks.1.attn.hook_pattern, next to activationPatching), patching ${label} moves the metric by only ${signed(frozen.frozenEffect)}.`,
    'RelP’s transformer rules hold the attention pattern constant by design (relevance flows through the values only), so RelP sees only that rest; AtP’s gradient goes through the softmax, and is right as long as the softmax is close to linear.',
    `The softmax is far from linear on pairs whose answer flips (the indirect object repeated instead of a third name: “${ioi.examples.flip.corrupted}”, metric ${fmt(flippedHeads.corruptedMetric)} on them, the model confident the other way): there AtP misses ${label} too (patching ${at(flippedHeads.patching)}, AtP ${at(flippedAtp?.grid)}; per-head r ${fmt(flippedAtp?.pearson ?? Number.NaN)}).`,
    `Layer 1’s heads act through their values, and both estimates follow them (their summed effect: AtP ${percent(atp)}, RelP ${percent(relp)}). On the residual stream two sites carry the effect (the subject’s position at layer 0, the last position at layer 1), so both estimates correlate with patching almost perfectly (r ${fmt(ioi.positions.estimates[0]?.pearson ?? Number.NaN)} and ${fmt(ioi.positions.estimates[1]?.pearson ?? Number.NaN)}) while their sizes are far off: ${strongestSite(ioi)}.`,
  ];
  // Two paragraphs: RelP's miss, then AtP's and where both hold.
  return [paragraphs.slice(0, 3).join(' '), paragraphs.slice(3).join(' ')];
}

function mnistParagraph(mnist: ChannelPatching): string {
  const { source, receiver } = digitPair;
  const strongest = mnist.ranking[0] ?? 0;
  const against = Array.from(mnist.effects.values).filter((value) => value < 0).length;
  const argmax = (logits: readonly number[]): number => logits.indexOf(Math.max(...logits));
  const flips = mnist.logits.patched.find(([, logits]) => argmax(logits) === source)?.[0];
  return `Vision: activation patching works on any hookable model. On the MNIST CNN (a TF.js Layers model) a single conv2 channel of a ${String(source)} does not turn a ${String(receiver)} into a ${String(source)}: the strongest, channel ${String(strongest)}, moves logit(${String(source)}) − logit(${String(receiver)}) by ${signed(mnist.effects.values[strongest] ?? Number.NaN)} from ${fmt(mnist.baseline)}, and ${String(against)} of the 16 ${against === 1 ? 'pushes' : 'push'} the other way. The evidence is spread over the channels: ${flips === undefined ? 'even the strongest 8 together do not flip the class' : `the strongest ${String(flips)} together make the ${String(receiver)} a ${String(source)}`} (the table).`;
}

/** The intervention section of the report. */
export async function interventionSection(context: DemoContext): Promise<ReportSection> {
  const started = performance.now();
  const ioi = await studyIoi(context);
  const heatmaps = headHeatmaps(context, ioi.heads);
  const { value: steering } = await context.timed(
    'Character model: activation-addition steering of generation',
    async () => {
      const { model, tokenizer } = await loadMobyCharModel();
      try {
        return await steerCharModel(model, tokenizer);
      } finally {
        model.dispose();
      }
    },
  );
  const { value: mnist } = await context.timed(
    `MNIST CNN: conv2 channels patched from a ${String(digitPair.source)} into a ${String(digitPair.receiver)}`,
    () => patchMnistChannels(),
  );
  const seconds = (performance.now() - started) / 1000;
  const unsteered = steering.runs[0];
  const shown = steering.runs.find((run) => run.coefficient === steeringSetup.shown);
  const largest = steering.runs.at(-1);
  return {
    id: 'intervention',
    title: 'Intervention: activation patching, attribution patching and steering',
    shortTitle: 'intervention',
    paragraphs: [
      `@tdhook/intervention writes into a model instead of reading it. On the IOI model it patches the ${String(patchedPrompts.count)} held-out prompt pairs of its AtP/RelP study (docs/atp-relp-study.md, whose numbers this recomputes): the ABC corruption replaces the repeated subject by a third name (“${ioi.examples.abc.clean}” → “${ioi.examples.abc.corrupted}”), so nothing tells the indirect object from the subject any more. The metric is logit(answer) − logit(subject) of the clean prompt at the last position: ${fmt(ioi.heads.cleanMetric)} on the clean prompts, ${fmt(ioi.heads.corruptedMetric)} on the corrupted ones.`,
      'activationPatchingGrid copies one site at a time from the clean run into the corrupted run (all sites and prompts stacked into batched passes) and measures how far the metric moves back; attributionPatching estimates every one of those effects from two forward passes and one backward pass: AtP multiplies the activation difference by the metric’s gradient, RelP by the LRP relevance of the transformer rules instead. The first table gives their Pearson and Spearman correlations with real patching, per grid.',
      ...disagreement(ioi),
      `Steering: activationAddition takes the character model’s residual stream at ${steeringSetup.hook} on a line of dialogue, «${steeringSetup.positive}», minus a line of narration of the same length, «${steeringSetup.negative}»; averaged over positions, steeringVectors + addVector add it at every step of adapter-nlp’s generate. With the vector × ${String(steeringSetup.shown)} the samples hold ${shown?.marksPer100.toFixed(1) ?? '?'} dialogue marks per 100 characters instead of ${unsteered?.marksPer100.toFixed(1) ?? '?'}; larger coefficients push the small model off its text (× ${String(largest?.coefficient ?? Number.NaN)}: ${largest?.marksPer100.toFixed(1) ?? '?'} marks, and ${largest?.lettersPer100.toFixed(1) ?? '?'} letters per 100 characters instead of ${unsteered?.lettersPer100.toFixed(1) ?? '?'}).`,
      `${mnistParagraph(mnist)} This section took ${seconds.toFixed(1)} s.`,
    ],
    figures: [heatmaps, ablationFigure(ioi.ablation), steeringFigure(steering), channelFigure(mnist)],
    tables: [
      correlationTable(ioi),
      headTable(ioi.ablation, ioi.heads),
      steeringTable(steering),
      logitTable(mnist),
    ],
  };
}
