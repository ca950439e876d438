export { lrp, type ConfiguredLrpOptions, type LrpOptions } from './lrp.js';
export {
  defineLrpRule,
  isLrpRule,
  type LrpModuleCall,
  type LrpRule,
  type LrpRuleCall,
  type LrpRuleDefinition,
} from './lrp-rule.js';
export { lrpRule, type LrpRuleFactories } from './rules.js';
export {
  defineLrpComposite,
  isLrpComposite,
  lrpBaseEntries,
  lrpComposites,
  type LrpComposite,
  type LrpCompositeDefinition,
  type LrpCompositeEntry,
  type LrpCompositeName,
  type LrpCompositeParams,
  type LrpMatch,
  type LrpModuleInfo,
} from './composites.js';
export {
  defineLrpCanonizer,
  isLrpCanonizer,
  type LrpCanonizer,
  type LrpCanonizerDefinition,
  type LrpCanonizerEdit,
} from './lrp-canonizer.js';
export { lrpCanonizer, type LrpCanonizerFactories } from './canonizers.js';
export { mapLrpRules, type LrpRuleAssignment, type LrpRuleMapOptions } from './rule-mapping.js';
export type { ConservationTolerance } from './rule-hook.js';
export type {
  LrpLayer,
  LrpLayerKind,
  LrpLayerNormModule,
  LrpLinearModule,
  LrpLinearPart,
  LrpParameters,
} from './layer-types.js';
