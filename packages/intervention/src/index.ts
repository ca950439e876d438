// @tdhook/intervention: the write side of latent interpretability. Steering, activation addition, activation
// patching and batched patching grids, attribution patching (AtP) and relevance patching (RelP). Browser-safe.

// Sites: where a grid patches
export { siteGrid, type GridAxis, type PatchSite, type SiteGrid, type SiteUnit } from './sites/patch-site.js';
export {
  headPositionSites,
  headSites,
  layerPositionSites,
  type TransformerShape,
  type TransformerSiteOptions,
} from './sites/transformer-sites.js';
export { unitSites, type UnitSiteOptions } from './sites/unit-sites.js';
export { siteMask } from './sites/site-mask.js';

// Metrics
export {
  checkMetricValue,
  logitDifference,
  type LogitDifferenceOptions,
  type PatchingMetric,
} from './metric/patching-metric.js';

// Results
export { LabelledGrid } from './grid/labelled-grid.js';

// Patching grids (grids)
export { activationPatchingGrid } from './grid/activation-patching-grid.js';
export {
  defaultMaxRowsPerPass,
  type ActivationPatchingGridOptions,
  type ConfiguredPatchingGrid,
  type PatchingGridProgress,
} from './grid/patching-grid-options.js';
export { patchingGridPasses, type GridPassShape } from './grid/grid-schedule.js';

// Attribution patching (AtP) and relevance patching (RelP)
export { attributionPatching } from './attribution-patching/attribution-patching.js';
export {
  type AttributionPatchingMethod,
  type AttributionPatchingOptions,
  type ConfiguredAttributionPatching,
} from './attribution-patching/attribution-patching-options.js';
