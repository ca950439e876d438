// What both probing sections report: the probes, dimensions and CKA of a list of layers, as figures and
// tables.
import type { Figure, Table } from '../report/report-model.js';
import { fmt, type DemoContext } from '../vision/demo-context.js';
import { ckaMatrix, layerDimensions, type LayerDimension } from './layer-geometry.js';
import { majorityAccuracy, probeLayers, type LayerRows, type ProbeResult } from './layer-probes.js';
import { ckaHeatmap, dimensionPlot, probePlot } from './probing-figures.js';

/** How one model's layers are read. */
export interface LayerStudy {
  /** File names start with this, e.g. 'probing-mnist'. */
  readonly id: string;
  /** E.g. 'MNIST CNN'. */
  readonly model: string;
  /** The model in at most 10 characters, for the plots' titles. */
  readonly shortModel: string;
  /** The concept in a few words, e.g. 'closed loop'. */
  readonly concept: string;
  readonly layers: readonly LayerRows[];
  /** Short names for the heatmap's axes (at most 7 characters). */
  readonly shortNames: readonly string[];
  /** 0/1 per row. */
  readonly labels: Int32Array;
  readonly trainRows: number;
  /** Rows used for the dimensions and for CKA. */
  readonly dimensionPoints: number;
  readonly ckaPoints: number;
}

/** Everything measured on one model, for its section. */
export interface LayerStudyResult {
  readonly probes: readonly ProbeResult[];
  readonly majority: number;
  readonly dimensions: readonly LayerDimension[];
  readonly cka: readonly (readonly number[])[];
  readonly modelPasses: number;
  readonly operatorSteps: number;
  readonly figures: Figure[];
  readonly tables: Table[];
}

const percent = (value: number): string => `${(100 * value).toFixed(1)} %`;

/** Probes, dimensions and CKA of the study's layers, with their figures and tables. */
export async function studyLayers(context: DemoContext, study: LayerStudy): Promise<LayerStudyResult> {
  const { id, model, concept, layers, labels, trainRows } = study;
  const { value: probes } = await context.timed(
    `${model}: ${String(layers.length * 2)} logistic-regression probes`,
    () => probeLayers(layers, labels, trainRows, 14),
  );
  const majority = majorityAccuracy(labels, trainRows);
  const { value: geometry } = await context.timed(
    `${model}: TwoNN and local kNN per layer (one operator Workflow)`,
    () => layerDimensions(layers, study.dimensionPoints),
  );
  const { value: cka } = await context.timed(
    `${model}: linear CKA between ${String(layers.length)} layers`,
    () => ckaMatrix(layers, study.ckaPoints),
  );
  const testRows = labels.length - trainRows;
  const layerList = (indices: readonly number[]): string =>
    indices.map((index) => `${String(index)} ${layers[index]?.name ?? ''}`).join(', ');
  const indices = probes.map((_, index) => index);
  const approximate = indices.filter((index) => probes[index]?.exact === false);
  const exact = indices.filter((index) => probes[index]?.exact === true);
  const solvers =
    approximate.length === 0
      ? `Every probe is fitted to scikit-learn's optimum (${probes[0]?.solver ?? ''}).`
      : `Layers ${layerList(approximate)} are probed by ${probes[approximate[0] as number]?.solver ?? ''}: not scikit-learn's optimum, so a converged probe may read a few points more there${exact.length > 0 ? `; layers ${layerList(exact)} by ${probes[exact[0] as number]?.solver ?? ''}` : ''}.`;
  const figures: Figure[] = [
    context.png(
      `${id}-probes.png`,
      probePlot(`${study.shortModel}: probe accuracy`, study.shortNames, probes),
      `Held-out balanced accuracy (the mean of the two classes' recalls, so 0.5 is chance whatever the class balance) of a logistic-regression probe for “${concept}” at each layer (red), and of the same probe trained on shuffled labels (grey: what a probe of that width fits without the concept; a control that answers one class everywhere scores exactly 0.5 and covers the blue chance line). ${String(trainRows)} training rows, ${String(testRows)} held out. ${solvers}`,
    ),
    context.png(
      `${id}-dimension.png`,
      dimensionPlot(`${study.shortModel}: intrinsic dimension`, study.shortNames, geometry.dimensions),
      `Intrinsic dimension of each layer's activations on ${String(study.dimensionPoints)} inputs: TwoNN over the whole point cloud (red) and the mean of the local kNN estimates per point (green; ln 2 / ln(R₂ₖ/Rₖ) with k = √N nearest neighbours, NaN where those distances tie).`,
    ),
    context.png(
      `${id}-cka.png`,
      ckaHeatmap(`${study.shortModel}: linear CKA`, study.shortNames, cka),
      `Linear CKA between the layers' activations on the same ${String(study.ckaPoints)} inputs (Kornblith et al. 2019): how similar two layers' representations are, up to rotation and isotropic scaling.`,
    ),
  ];
  const tables: Table[] = [
    {
      caption: `${model}: held-out accuracy of the “${concept}” probe per layer, and the shuffled-label control (majority class: ${percent(majority)})`,
      header: [
        'layer',
        'features',
        'probe accuracy',
        'balanced accuracy',
        'control accuracy',
        'control balanced',
        'probe − control (balanced)',
        'solver',
      ],
      rows: probes.map((probe) => [
        probe.layer,
        String(probe.features),
        percent(probe.accuracy),
        percent(probe.balancedAccuracy),
        percent(probe.control),
        percent(probe.controlBalanced),
        `${((probe.balancedAccuracy - probe.controlBalanced) * 100).toFixed(1)} points`,
        probe.solver,
      ]),
    },
    {
      caption: `${model}: intrinsic dimension per layer (${String(study.dimensionPoints)} inputs)`,
      header: ['layer', 'features', 'TwoNN', 'local kNN mean', 'local kNN std', 'points with an estimate'],
      rows: geometry.dimensions.map((layer, index) => [
        layer.layer,
        String(probes[index]?.features ?? ''),
        fmt(layer.twoNn),
        fmt(layer.localKnnMean),
        fmt(layer.localKnnStd),
        String(layer.localKnnCount),
      ]),
    },
    {
      caption: `${model}: linear CKA between layers (${String(study.ckaPoints)} inputs)`,
      header: ['', ...study.shortNames],
      rows: cka.map((row, index) => [study.shortNames[index] ?? '', ...row.map((value) => value.toFixed(3))]),
    },
  ];
  return {
    probes,
    majority,
    dimensions: geometry.dimensions,
    cka,
    modelPasses: geometry.modelPasses,
    operatorSteps: geometry.steps,
    figures,
    tables,
  };
}
