// What LRP installs, as plan entries: the claim on the model, each canonizer edit, and one prepended forward
// hook per module whose rule replaces its gradient, with the rule and its parameters as the detail. Without a
// model, the canonizers and the rules are declared as patterns.
import { type HookSpec, type ModelNode } from '@tdhook/core';
import { patternPath } from '@tdhook/core/plugin';

import type { LrpComposite, LrpModuleInfo } from './composites.js';
import type { LrpCanonizer, LrpCanonizerEdit } from './lrp-canonizer.js';
import type { LrpRule } from './lrp-rule.js';
import {
  assignRules,
  checkRulePaths,
  compositeOf,
  lrpModules,
  type LrpRuleAssignment,
  type LrpRuleMapOptions,
} from './rule-mapping.js';

/** Marks the model as carrying LRP rules, so that a second LRP is refused instead of stacking rules. */
export const claimSpec: HookSpec & { readonly direction: null } = {
  path: '',
  direction: null,
  operation: 'lrp-claim',
};

/** A canonizer edit with its plan entry. */
export interface PlannedEdit {
  readonly spec: HookSpec & { readonly direction: null };
  readonly edit: LrpCanonizerEdit;
}

/** A module whose rule LRP installs, with its plan entry. */
export interface PlannedRule {
  readonly spec: HookSpec & { readonly direction: 'forward' };
  readonly module: LrpModuleInfo;
  readonly rule: LrpRule;
}

/** Everything LRP does to one model, found without changing it. */
export interface LrpInstallPlan {
  readonly composite: LrpComposite;
  readonly assignments: readonly LrpRuleAssignment[];
  readonly modules: readonly LrpModuleInfo[];
  readonly edits: readonly PlannedEdit[];
  readonly rules: readonly PlannedRule[];
}

function editSpec(canonizer: LrpCanonizer, edit: LrpCanonizerEdit): PlannedEdit['spec'] {
  return {
    path: edit.path,
    direction: null,
    operation: 'canonize',
    detail: { ...edit.detail, canonizer: canonizer.name },
  };
}

/** The rule entry of one module: the rule, its parameters and which option gave it. */
export function ruleSpec(assignment: LrpRuleAssignment, rule: LrpRule): PlannedRule['spec'] {
  return {
    path: assignment.path,
    direction: 'forward',
    operation: 'lrp-rule',
    // Prepended, so that captures of this module (latent sources and targets) see the rule's output.
    prepend: true,
    detail: { rule: rule.name, params: rule.params, source: assignment.source },
  };
}

/**
 * What LRP does to `model` under `options`: canonizer edits (all found on the model as it is, before any
 * is applied) and the rules (rules that keep the gradient, such as `ignore`, install nothing).
 */
export function planLrpInstall(options: LrpRuleMapOptions, model: ModelNode): LrpInstallPlan {
  const composite = compositeOf(options);
  const modules = lrpModules(model);
  checkRulePaths(options, model, modules);
  const assignments = assignRules(options, composite, modules);
  const edits = composite.canonizers.flatMap((canonizer) =>
    canonizer.edits(model).map((edit) => ({ spec: editSpec(canonizer, edit), edit })),
  );
  const rules = assignments.flatMap((assignment, index) => {
    const { rule } = assignment;
    if (rule === undefined || rule.keepsGradient) return [];
    return [{ spec: ruleSpec(assignment, rule), module: modules[index] as LrpModuleInfo, rule }];
  });
  return { composite, assignments, modules, edits, rules };
}

/** The plan entries of LRP: per module against a model, patterns without one. */
export function lrpHookSpecs(options: LrpRuleMapOptions, model: ModelNode | undefined): HookSpec[] {
  if (model !== undefined) {
    const planned = planLrpInstall(options, model);
    return [claimSpec, ...planned.edits.map(({ spec }) => spec), ...planned.rules.map(({ spec }) => spec)];
  }
  const composite = compositeOf(options);
  return [
    claimSpec,
    ...composite.canonizers.map((canonizer): HookSpec => ({
      path: patternPath,
      direction: null,
      operation: 'canonize',
      detail: { canonizer: canonizer.name, params: canonizer.params, modules: 'the modules it edits' },
    })),
    {
      path: patternPath,
      direction: 'forward',
      operation: 'lrp-rule',
      prepend: true,
      detail: {
        composite: composite.name,
        modules:
          'each module given a rule that replaces its gradient (by skip, ruleMapper, rules.paths, rules.types, then the composite)',
      },
    },
  ];
}
