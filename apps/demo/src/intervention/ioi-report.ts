// The IOI part of the section as figures and tables: the per-head heatmaps of patching, AtP and RelP, the
// head-ablation bars, the correlation table and the per-head table.
import { fmt, type DemoContext } from '../vision/demo-context.js';
import type { Figure, Table } from '../report/report-model.js';
import { barChartSvg } from './bar-chart-svg.js';
import { gridPanels } from './grid-panels.js';
import type { HeadAblation } from './head-ablation.js';
import { patchedPrompts, type IoiResults } from './ioi-study.js';
import type { EstimatedGrid, PatchingComparison } from './ioi-patching.js';

const heatmapCell = 80;

export const signed = (value: number): string => (value > 0 ? `+${fmt(value)}` : fmt(value));

/** "r 0.99, rho 0.93": one line of a panel title (the grids' bitmap font has no Greek); the table has 3 digits. */
const correlations = (estimate: EstimatedGrid | undefined): string =>
  `r ${(estimate?.pearson ?? Number.NaN).toFixed(2)}, rho ${(estimate?.spearman ?? Number.NaN).toFixed(2)}`;

/** Patching, AtP and RelP per head, side by side, written as a PNG. */
export function headHeatmaps(context: DemoContext, heads: PatchingComparison): Figure {
  const [atp, relp] = heads.estimates;
  const cells = heads.patching.values.length;
  return context.png(
    'intervention-ioi-heads.png',
    gridPanels(
      [
        { title: 'activation\npatching', grid: heads.patching },
        { title: `AtP\n${correlations(atp)}`, grid: atp?.grid ?? heads.patching },
        { title: `RelP\n${correlations(relp)}`, grid: relp?.grid ?? heads.patching },
      ],
      heatmapCell,
    ),
    `Per head (layer × head, hook_z), ABC pairs: how far patching one head from the clean prompt into the corrupted one moves logit(answer) − logit(subject) back (mean over ${String(patchedPrompts.count)} pairs), next to the AtP and RelP estimates of the same effect (r: Pearson, rho: Spearman, over the ${String(cells)} heads). One colour scale for the three panels: the estimates are in the metric's unit, so a pale cell next to a dark one is an effect the estimate misses.`,
  );
}

/** The drop of the mean logit difference per ablated head, as bars. */
export function ablationFigure(ablation: HeadAblation): Figure {
  return {
    kind: 'svg',
    svg: barChartSvg({
      title: 'IOI model: drop of the logit difference when one head is zeroed',
      yLabel: 'drop of logit(answer) − logit(subject)',
      labels: ablation.labels,
      values: ablation.ablated.map((value) => ablation.clean - value),
      format: (value) => value.toFixed(2),
    }),
    caption: `Head ablations through steeringVectors: a steer that returns zeros on the Target { path: 'blocks.L.attn.hook_z', featureAxis: 2, indices: [H] }, on the IOI section's ${String(ablation.prompts)} held-out prompts (clean mean logit difference ${fmt(ablation.clean)}). The IOI section's table computes the same numbers with a hand-written hook.`,
  };
}

function correlationRow(grid: string, comparison: PatchingComparison): string[] {
  const [atp, relp] = comparison.estimates;
  const time = (seconds: number | undefined): string => (seconds ?? Number.NaN).toFixed(2);
  return [
    grid,
    String(comparison.patching.values.length),
    fmt(atp?.pearson ?? Number.NaN),
    fmt(atp?.spearman ?? Number.NaN),
    fmt(relp?.pearson ?? Number.NaN),
    fmt(relp?.spearman ?? Number.NaN),
    `${time(comparison.patchingSeconds)} / ${time(atp?.seconds)} / ${time(relp?.seconds)}`,
  ];
}

/** AtP's and RelP's correlations with patching, per grid and corruption. */
export function correlationTable(ioi: IoiResults): Table {
  return {
    caption: `How well AtP and RelP predict activation patching on the IOI model: correlations over the sites of each grid, effects averaged over ${String(patchedPrompts.count)} clean → corrupted prompt pairs`,
    header: [
      'grid, pairs',
      'sites',
      'AtP Pearson',
      'AtP Spearman',
      'RelP Pearson',
      'RelP Spearman',
      'seconds: patching / AtP / RelP',
    ],
    rows: [
      correlationRow('per head (hook_z), ABC pairs', ioi.heads),
      correlationRow(
        `residual stream (hook_resid_pre), layer × position (${String(ioi.positionCount)} tokens), ABC pairs`,
        ioi.positions,
      ),
      correlationRow('per head (hook_z), pairs whose answer flips', ioi.flippedHeads),
    ],
  };
}

/** Per head: ablation next to patching and its two estimates. */
export function headTable(ablation: HeadAblation, heads: PatchingComparison): Table {
  const [atp, relp] = heads.estimates;
  return {
    caption:
      'Per head: zeroed (ablation, on the IOI section’s prompts) and patched alone from clean into corrupted (on the ABC pairs), with the two estimates of the patching effect',
    header: ['head', 'mean logit difference, ablated', 'drop', 'patching effect', 'AtP', 'RelP'],
    rows: ablation.labels.map((label, index) => [
      label,
      fmt(ablation.ablated[index] ?? Number.NaN),
      fmt(ablation.clean - (ablation.ablated[index] ?? Number.NaN)),
      signed(heads.patching.values[index] ?? Number.NaN),
      signed(atp?.grid.values[index] ?? Number.NaN),
      signed(relp?.grid.values[index] ?? Number.NaN),
    ]),
  };
}
