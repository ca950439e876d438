export { attributionMap, type AttributionMapOptions, type ChannelReduction } from './attribution-map.js';
export { parseColor, type Color, type Rgba } from './color.js';
export { colorbar, colorbarHeight, type ColorbarOptions } from './colorbar.js';
export {
  colormapColor,
  colormaps,
  createColormap,
  type ColormapLut,
  type ColormapName,
  type ColormapStop,
} from './colormaps.js';
export { drawImage, drawLine, fillRect } from './draw.js';
export {
  gridLayout,
  imageGrid,
  type GridCell,
  type GridLayout,
  type GridLegend,
  type ImageGridOptions,
} from './grid.js';
export {
  defaultClip,
  heatmap,
  heatmapRange,
  type HeatmapImage,
  type HeatmapOptions,
  type HeatmapRange,
} from './heatmap.js';
export { linePlot } from './line-plot.js';
export { linePlotSvg } from './line-plot-svg.js';
export type { MapInput, MapValues } from './map-values.js';
export { overlay, type OverlayOptions } from './overlay.js';
export type { LinePlotOptions, PlotSeries } from './plot-layout.js';
export { drawText, measureText, type TextOptions } from './text.js';
