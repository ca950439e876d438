import { ContextError, InvalidValueError, type MethodFactory } from '@tdhook/core';
import { defineMethod, type BindContext } from '@tdhook/core/plugin';

import {
  bindGradientMethod,
  checkGradientOptions,
  planGradientMethod,
  type GradientAttributionOptions,
} from '../gradient-method.js';
import { gradientRunner } from '../gradient-runner.js';
import { isCompositeName, isLrpComposite, lrpComposites } from './composites.js';
import { checkRule } from './lrp-rule.js';
import { claimSpec, lrpHookSpecs, planLrpInstall, type PlannedEdit } from './lrp-plan.js';
import { ConservationMonitor, ruleHook, type ConservationTolerance } from './rule-hook.js';
import { lrpModules, type LrpRuleMapOptions } from './rule-mapping.js';
import { booleanOption } from '../option-checks.js';

/**
 * Options of {@link lrp}: the shared gradient options (target, inputs, modules, ...), the rule map, and
 * the checks.
 *
 * @example
 * const options: LrpOptions = {
 *   composite: 'epsilonPlus',
 *   target: { select: 'argmax' },
 *   checkConservation: { rtol: 1e-3 },
 * };
 */
export interface LrpOptions extends GradientAttributionOptions, LrpRuleMapOptions {
  /** Warn about modules without a rule (their plain gradient is used). Default `true`. */
  readonly warnOnMissingRule?: boolean;
  /** Receives the warnings. Default `console.warn`. */
  readonly onWarning?: (message: string) => void;
  /** Check at every rule that the relevance sums per sample match; throws `E_ATTRIBUTION_CONSERVATION`. Default off. */
  readonly checkConservation?: ConservationTolerance;
}

const id = 'attribution/lrp';

/**
 * The options of {@link lrp} once `configure` has filled in the defaults (the only place they are written):
 * what `method.options` and `describe()` show, and what bind reads. `onWarning` stays optional (a callback
 * default could not be described): without it, warnings go to `console.warn`.
 *
 * @example
 * const configured: ConfiguredLrpOptions = lrp({ composite: 'epsilon', checkConservation: {} }).options;
 * configured.warnOnMissingRule; // true
 * configured.checkConservation; // { rtol: 1e-4, atol: 1e-6 }
 */
export interface ConfiguredLrpOptions extends LrpOptions {
  readonly warnOnMissingRule: boolean;
  readonly checkConservation?: Required<ConservationTolerance>;
}

function checkNumber(value: unknown, name: string): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
    throw new InvalidValueError({
      what: `${name} must be a finite number ≥ 0, got ${JSON.stringify(value)}`,
      where: id,
    });
  }
}

function checkLrpOptions(options: LrpOptions): ConfiguredLrpOptions {
  const checked = checkGradientOptions(options, id);
  const { composite, rules, ruleMapper, skip, checkConservation, onWarning, warnOnMissingRule } = checked;
  if (composite !== undefined && !isCompositeName(composite) && !isLrpComposite(composite)) {
    throw new InvalidValueError({
      what: `Unknown composite ${typeof composite === 'string' ? JSON.stringify(composite) : 'object'}`,
      where: id,
      fix: `Use one of ${Object.keys(lrpComposites).join(', ')}, a composite from lrpComposites or defineLrpComposite, or give rules.`,
    });
  }
  if (isLrpComposite(composite) && (checked.epsilon !== undefined || checked.stabilizer !== undefined)) {
    throw new InvalidValueError({
      what: 'epsilon and stabilizer parameterise named composites; this composite is an object',
      where: id,
      fix: `Set them where the composite is built, e.g. lrpComposites.epsilonPlus({ epsilon: 0.01 }).`,
    });
  }
  if (composite === undefined && rules === undefined && ruleMapper === undefined) {
    throw new InvalidValueError({
      what: 'LRP needs rules: no composite, rules or ruleMapper is given',
      where: id,
      fix: "Set composite: 'epsilonPlus' (or another composite), or map rules by path or type.",
    });
  }
  checkNumber(checked.epsilon, 'epsilon');
  checkNumber(checked.stabilizer, 'stabilizer');
  for (const table of ['paths', 'types'] as const) {
    for (const [key, rule] of Object.entries(rules?.[table] ?? {}))
      checkRule(rule, `${id} rules.${table}['${key}']`);
  }
  if (ruleMapper !== undefined && typeof ruleMapper !== 'function') {
    throw new InvalidValueError({ what: 'ruleMapper must be a function', where: id });
  }
  if (onWarning !== undefined && typeof onWarning !== 'function') {
    throw new InvalidValueError({ what: 'onWarning must be a function', where: id });
  }
  if (skip !== undefined && (!Array.isArray(skip) || skip.some((path) => typeof path !== 'string'))) {
    throw new InvalidValueError({ what: 'skip must be an array of module paths', where: id });
  }
  if (checkConservation !== undefined) {
    if (typeof checkConservation !== 'object' || (checkConservation as unknown) === null) {
      throw new InvalidValueError({
        what: 'checkConservation must be an object { rtol, atol }',
        where: id,
        fix: 'Pass {} for the default tolerances.',
      });
    }
    checkNumber(checkConservation.rtol, 'checkConservation.rtol');
    checkNumber(checkConservation.atol, 'checkConservation.atol');
  }
  // The defaults, written here only: describe() shows them, and bind reads them as given.
  const { checkConservation: _given, ...rest } = checked;
  return {
    ...rest,
    warnOnMissingRule: booleanOption(warnOnMissingRule, 'warnOnMissingRule', id, true),
    ...(checkConservation === undefined
      ? {}
      : {
          checkConservation: { rtol: checkConservation.rtol ?? 1e-4, atol: checkConservation.atol ?? 1e-6 },
        }),
  };
}

// Marks a model whose modules carry LRP rules (on the instance, under a registry-wide symbol, as core keeps
// hook chains): a second set of rules would wrap the first and propagate relevance twice.
const installedKey = Symbol.for('tdhook.lrp-rules');

function claimModel(root: object): () => void {
  if (Object.hasOwn(root, installedKey)) {
    throw new ContextError({
      what: 'LRP rules are already installed on this model by another prepared LRP',
      where: id,
      fix: 'Restore the other prepared model first (prepared.restore(), or end its using block).',
    });
  }
  Object.defineProperty(root, installedKey, { configurable: true, value: true });
  return () => {
    Reflect.deleteProperty(root, installedKey);
  };
}

/**
 * Records an applied canonizer edit with its undo; if recording fails (an edit its plan did not list), the
 * edit is undone here, since the prepared model never got its undo.
 */
function recordEdit(context: BindContext, spec: PlannedEdit['spec'], undo: () => void): void {
  try {
    context.record(spec, undo);
  } catch (error) {
    if (typeof undo === 'function') {
      try {
        undo();
      } catch {
        // The recording error is the one to see and fix; a failing undo would only hide it.
      }
    }
    throw error;
  }
}

/**
 * Installs what the plan lists, through the bind context: the claim, the canonizer edits (each recorded with
 * its undo as soon as it is applied), then the rule hooks. Rules are checked against their modules first, so
 * that a misfit changes nothing; the prepared model undoes the rest if anything later fails.
 */
function installRules(
  options: ConfiguredLrpOptions,
  context: BindContext,
  monitor: ConservationMonitor | undefined,
): void {
  const root = context.model.model;
  const planned = planLrpInstall(options, root);
  for (const { module, rule } of planned.rules) {
    const refused = rule.check(module.layer);
    if (refused !== undefined) {
      throw new InvalidValueError({
        what: refused,
        where: `LRP rule for module '${module.path}' (${module.layer.description})`,
        fix: "Map this module to a rule it supports ('pass', 'ignore', 'stop', ...), or skip it.",
      });
    }
  }
  context.record(claimSpec, claimModel(root));
  const warn =
    options.onWarning ??
    ((message: string): void => {
      console.warn(message);
    });
  planned.assignments.forEach(({ source, kind, path }, index) => {
    if (source === 'none' && kind !== 'container' && options.warnOnMissingRule) {
      const description = planned.modules[index]?.layer.description ?? path;
      warn(
        `No LRP rule for module '${path}' (${description}): its plain gradient is used. Map it with rules.paths or rules.types, or skip it.`,
      );
    }
  });
  for (const { spec, edit } of planned.edits) recordEdit(context, spec, edit.apply());
  // The layers as they are now: a canonizer may have changed what rules read (a merged batch norm).
  const layers = new Map(
    planned.edits.length === 0 ? [] : lrpModules(root).map(({ path, layer }) => [path, layer] as const),
  );
  for (const { spec, module, rule } of planned.rules) {
    const layer = layers.get(module.path) ?? module.layer;
    context.hook(spec, ruleHook(module.path, layer, rule, monitor));
  }
}

/**
 * Layer-wise relevance propagation (Bach et al., 2015; Montavon et al., 2019): the target's relevance
 * (one-hot, as zennit's `attr_output`) is propagated back layer by layer, each module applying its rule
 * instead of its gradient; the result at an input (or a module output) is its relevance. Rules come from a
 * composite (a name, `'epsilon'`, `'zPlus'`, `'alpha1beta0'`, `'epsilonPlus'`, `'epsilonAlpha2Beta1'`, or a
 * composite object with its own entries and canonizers), overridden by maps by path or type and a mapper;
 * matches zennit 0.5.1. Works on TF.js Layers models (Dense, Conv1D/2D, DepthwiseConv2D, BatchNormalization,
 * pooling, merges, ...) and on tdhook Modules that opt in ({@link LrpLinearModule}). The plan lists the rule of
 * every module (`describe({ model })`); rules, composites and canonizers are open (`defineLrpRule`,
 * `defineLrpComposite`, `defineLrpCanonizer`).
 *
 * @example
 * using prepared = lrp({ composite: 'epsilonPlus', target: { select: 'argmax' } }).prepare(model);
 * using result = prepared.run(new TensorDict({ input: x }, { batchShape: [4] }));
 * result.getTensor(['attr', 'input']); // the relevance of each input, shaped like x
 * // With batch norms merged into the layers before them while LRP is prepared:
 * lrp({ composite: lrpComposites.epsilonPlus({ canonizers: [lrpCanonizer.mergeBatchNorm()] }) });
 */
export const lrp: MethodFactory<LrpOptions, ConfiguredLrpOptions> = /* @__PURE__ */ defineMethod<
  LrpOptions,
  ConfiguredLrpOptions
>({
  contract: 'tdhook.method/1',
  id,
  summary: 'Layer-wise relevance propagation with zennit rules and composites',
  configure: checkLrpOptions,
  requirements: () => ({ modelPasses: 1, gradients: 'required' }),
  plan: (options, model) => planGradientMethod(options, model, { hooks: lrpHookSpecs(options, model.node) }),
  bind: (options, context) => {
    const monitor =
      options.checkConservation === undefined
        ? undefined
        : new ConservationMonitor(options.checkConservation);
    installRules(options, context, monitor);
    const runner = gradientRunner(
      options,
      bindGradientMethod(options, context, id),
      id,
      ({ gradient }) => gradient,
    );
    if (monitor === undefined) return runner;
    return {
      run: (data) => {
        monitor.take();
        const result = runner.run(data);
        const violation = monitor.take();
        if (violation === undefined) return result;
        result.dispose();
        throw violation;
      },
    };
  },
});
