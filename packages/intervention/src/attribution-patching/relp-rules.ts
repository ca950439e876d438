// RelP's LRP rules come from @tdhook/attribution's `lrp` method itself: its plan lists the rule hooks (and
// canonizer edits) for a composite, its bind installs exactly those through our context, so the rules,
// their checks, descriptions and restore are LRP's own. Its runner is not used: the receiving pass is ours.
import {
  lrp,
  type LrpComposite,
  type LrpCompositeName,
  type ConfiguredLrpOptions,
} from '@tdhook/attribution';
import type { HookSpec } from '@tdhook/core';
import type { BindContext, MethodModelInfo } from '@tdhook/core/plugin';

/**
 * LRP's options for installing a composite's rules only: it attributes to the model inputs (which is never
 * run) and explains the first output, so it captures no module and needs nothing else from the model.
 */
function lrpOptions(
  composite: LrpComposite | LrpCompositeName,
  model: MethodModelInfo,
): ConfiguredLrpOptions {
  const [first] = model.outKeys;
  const options = {
    composite,
    // A module without a rule keeps its plain gradient: RelP's definition, not something to warn about.
    warnOnMissingRule: false,
    ...(first === undefined ? {} : { target: { output: first } }),
  };
  // LRP's own configure checks the composite and fills its defaults, as lrp({...}) would.
  return lrp(options).options;
}

/**
 * The plan entries of a composite's rules on `model` (patterns when the plan has no model): LRP's own
 * rule hooks and canonizer edits.
 *
 * @example
 * const hooks = relpRuleSpecs(transformerLrpComposite(), model);
 */
export function relpRuleSpecs(
  composite: LrpComposite | LrpCompositeName,
  model: MethodModelInfo,
): HookSpec[] {
  // LRP attributes to no module here, so its plan holds its rules and canonizer edits only.
  return [...lrp.definition.plan(lrpOptions(composite, model), model).hooks];
}

/**
 * Installs the composite's rules on the bound model (removed at restore with everything else).
 *
 * @example
 * installRelpRules('epsilon', context);
 */
export function installRelpRules(composite: LrpComposite | LrpCompositeName, context: BindContext): void {
  const model = context.model;
  lrp.definition.bind(lrpOptions(composite, { inKeys: model.inKeys, outKeys: model.outKeys }), context);
}
