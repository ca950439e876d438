// The probing section's pictures: probe accuracy and intrinsic dimension per layer (line plots), and the CKA
// matrix between layers (a labelled heatmap), drawn with @tdhook/adapter-cv's renderers.
import { heatmap, imageGrid, linePlot, type RgbaImage } from '@tdhook/adapter-cv';

import { fmt } from '../vision/demo-context.js';
import type { LayerDimension } from './layer-geometry.js';
import type { ProbeResult } from './layer-probes.js';

const plotSize = { width: 880, height: 420, textScale: 2 } as const;
const layerAxis = (count: number): readonly number[] => Array.from({ length: count }, (_, index) => index);
/** The x axis names its layers, since the plots have numeric ticks only: '0 input  1 conv1  …'. */
const layerLegend = (names: readonly string[]): string =>
  names.map((name, index) => `${String(index)} ${name}`).join('  ');

/**
 * Balanced accuracy of the probe and of its shuffled-label control per layer, and chance (x: layer index,
 * named by `names`). Chance is drawn first, so that a control that answers one class (exactly 0.5) shows on it.
 */
export function probePlot(
  title: string,
  names: readonly string[],
  results: readonly ProbeResult[],
): RgbaImage {
  const x = layerAxis(results.length);
  return linePlot(
    [
      { label: 'chance', x, y: x.map(() => 0.5), color: '#1f77b4' },
      { label: 'shuffled labels', x, y: results.map((result) => result.controlBalanced), color: '#7f7f7f' },
      { label: 'probe', x, y: results.map((result) => result.balancedAccuracy), color: '#d62728' },
    ],
    // Up to 1.2, so that the legend (top right) sits above the curves.
    { ...plotSize, title, xLabel: layerLegend(names), yLabel: 'balanced accuracy', yRange: [0.4, 1.2] },
  );
}

/** TwoNN and mean local-kNN dimension per layer (x: layer index, named by `names`). */
export function dimensionPlot(
  title: string,
  names: readonly string[],
  dimensions: readonly LayerDimension[],
): RgbaImage {
  const x = layerAxis(dimensions.length);
  return linePlot(
    [
      { label: 'TwoNN', x, y: dimensions.map((layer) => layer.twoNn), color: '#d62728' },
      { label: 'local kNN (mean)', x, y: dimensions.map((layer) => layer.localKnnMean), color: '#2ca02c' },
    ],
    { ...plotSize, title, xLabel: layerLegend(names), yLabel: 'intrinsic dimension' },
  );
}

/** The CKA matrix as a grid of coloured cells with their values, layers on both axes, one colour bar. */
export function ckaHeatmap(
  title: string,
  layers: readonly string[],
  matrix: readonly (readonly number[])[],
): RgbaImage {
  const range = [0, 1] as const;
  const colormap = 'viridis' as const;
  const rows = matrix.map((row) =>
    row.map((value) => ({
      image: heatmap({ values: [value], width: 1, height: 1 }, { range, colormap }),
      note: fmt(value),
    })),
  );
  return imageGrid(rows, {
    cellSize: 76,
    gap: 2,
    textScale: 2,
    title,
    columnLabels: layers,
    rowLabels: layers,
    legend: { colormap, range },
    footer: 'Linear CKA: 1 = the same representation up to rotation and scale; 0 = unrelated.',
  });
}
