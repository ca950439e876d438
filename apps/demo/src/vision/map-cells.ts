// How the demo draws attributions: each method's maps folded as renderExplanation folds them, one colour
// scale per method shared by the images a figure shows (the default percentile limit of @tdhook/adapter-cv),
// so a colour bar under the column gives the values of every tile above it.
import {
  defaultClip,
  heatmap,
  heatmapRange,
  methodDisplay,
  overlay,
  renderExplanation,
  type Explanation,
  type GridCell,
  type GridLegend,
  type MapValues,
  type RgbaImage,
} from '@tdhook/adapter-cv';

/** One method's maps for several images, and the colour scale they share. */
export interface ScaledMaps {
  readonly maps: readonly MapValues[];
  readonly signed: boolean;
  readonly legend: GridLegend;
}

/** A sentence for captions: how the colours are scaled. */
export const scaleNote = `colours saturate at the ${String(defaultClip)}th percentile of |value|`;

/** The maps of `explanation` for the images at `indexes`, on one scale shared by them. */
export function scaledMaps(
  explanation: Explanation,
  originals: readonly RgbaImage[],
  indexes: readonly number[] = originals.map((_, index) => index),
): ScaledMaps {
  const [, height, width] = explanation.attribution.shape;
  const maps = indexes.map((index) => ({
    values: renderExplanation(explanation, index, originals[index] as RgbaImage).map,
    height,
    width,
  }));
  const { signed } = methodDisplay[explanation.method];
  const joined = new Float32Array(maps.reduce((total, map) => total + map.values.length, 0));
  let offset = 0;
  for (const map of maps) {
    joined.set(map.values, offset);
    offset += map.values.length;
  }
  const { range } = heatmapRange({ values: joined, height: 1, width: joined.length }, { signed });
  // The colour map that heatmap() picks for this kind of map, read from a one-pixel heatmap.
  const { colormap } = heatmap({ values: [0], height: 1, width: 1 }, { signed, range });
  return { maps, signed, legend: { colormap, range } };
}

/** True when every value of the map is 0 (e.g. a Grad-CAM map with no positive part). */
export function isZeroMap(map: MapValues): boolean {
  for (let i = 0; i < map.values.length; i++) if (map.values[i] !== 0) return false;
  return true;
}

/** The `i`-th map of `scaled` as a heatmap cell on the shared scale. */
export function heatmapCell(scaled: ScaledMaps, i: number, extra: Partial<GridCell> = {}): GridCell {
  const map = scaled.maps[i] as MapValues;
  return { image: heatmap(map, { signed: scaled.signed, range: scaled.legend.range }), ...extra };
}

/** The `i`-th map of `scaled` over `photo` (resized to it) as a cell on the shared scale. */
export function overlayCell(
  scaled: ScaledMaps,
  i: number,
  photo: RgbaImage,
  extra: Partial<GridCell> = {},
): GridCell {
  const map = scaled.maps[i] as MapValues;
  return { image: overlay(photo, map, { signed: scaled.signed, range: scaled.legend.range }), ...extra };
}
