export { lrp, type LrpOptions } from './lrp.js';
export { lrpRule, type LrpRule, type LrpRuleFactories, type LrpRuleName } from './rules.js';
export type { LrpCompositeName } from './composites.js';
export { mapLrpRules, type LrpRuleAssignment, type LrpRuleMapOptions } from './rule-mapping.js';
export type { ConservationTolerance } from './rule-hook.js';
export type { LrpLayerKind, LrpLayerNormModule, LrpLinearModule, LrpParameters } from './layer-types.js';
