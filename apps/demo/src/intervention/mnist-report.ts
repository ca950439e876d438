// The vision part of the section: the effect of each conv2 channel as bars, and the logits of the receiving
// digit with its strongest channels patched.
import type { Figure, Table } from '../report/report-model.js';
import { fmt } from '../vision/demo-context.js';
import { barChartSvg } from './bar-chart-svg.js';
import { digitPair, type ChannelPatching } from './mnist-channel-patching.js';

const { source, receiver } = digitPair;

/** One bar per conv2 channel: how far copying it moves logit(source) − logit(receiver). */
export function channelFigure(mnist: ChannelPatching): Figure {
  const strongest = mnist.ranking[0] ?? 0;
  return {
    kind: 'svg',
    svg: barChartSvg({
      title: `MNIST CNN: one conv2 channel copied from a ${String(source)} into a ${String(receiver)}`,
      yLabel: `change of logit(${String(source)}) − logit(${String(receiver)})`,
      labels: mnist.effects.axes[0]?.labels.map((label) => `c${label}`) ?? [],
      values: Array.from(mnist.effects.values),
      highlight: new Set([strongest]),
      format: (value) => value.toFixed(2),
      footnote: `conv2 channel (red: the strongest). Unpatched: ${fmt(mnist.baseline)}; the ${String(source)} itself: ${fmt(mnist.source)}.`,
    }),
    caption: `unitSites over conv2's 16 channels + activationPatchingGrid with logitDifference({ answer: ${String(source)}, versus: ${String(receiver)} }): each channel of the ${String(source)}'s conv2 output written into the ${String(receiver)}'s run, all 16 patched runs in one batched call.`,
  };
}

/** Every class's logit of the receiver with 0, 1, 4 and 8 of its strongest channels patched, and the source. */
export function logitTable(mnist: ChannelPatching): Table {
  const { patched } = mnist.logits;
  const named = (count: number): string =>
    count === 1 ? `+ channel ${String(mnist.ranking[0])}` : `+ the strongest ${String(count)} channels`;
  return {
    caption: `MNIST CNN logits of the ${String(receiver)} with conv2 channels patched from the ${String(source)} (activationPatching on a Target with those channels), strongest first (${mnist.ranking
      .slice(0, 8)
      .join(', ')}); the ${String(source)}'s own logits are those of all 16 patched`,
    header: [
      'class',
      `the ${String(receiver)}`,
      ...patched.map(([count]) => named(count)),
      `the ${String(source)}`,
    ],
    rows: mnist.logits.receiver.map((value, digit) => [
      String(digit),
      fmt(value),
      ...patched.map(([, logits]) => fmt(logits[digit] ?? Number.NaN)),
      fmt(mnist.logits.source[digit] ?? Number.NaN),
    ]),
  };
}
