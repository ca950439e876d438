import { ContextError, ContractError, InvalidValueError } from '../errors.js';
import { toKeyPath, type KeyPath } from '../keys.js';
import { isModelNode, type ModelNode } from '../modules/model-node.js';
import { describeValue, type DescribeOptions, type JsonValue } from './describe-value.js';
import { checkRequirements, defaultRequirements, type ExecutionRequirements } from './execution.js';
import { checkHookSpec, isPatternSpec } from './hook-spec.js';
import { KeyedModel, modelKeyPaths, resolveModelKeys, type ModelKeys } from './keyed-model.js';
import {
  methodContract,
  type MethodDefinition,
  type MethodModelInfo,
  type MethodPlan,
} from './method-definition.js';
import { PreparedModel } from './prepared-model.js';

const idPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*\/[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * What every configured method offers, whatever its options type: workflows and tools take these.
 *
 * @example
 * const steps: MethodLike[] = [saliency({}), activationNorms({ paths: ['fc1'] })];
 */
export interface MethodLike {
  readonly id: string;
  readonly requirements: ExecutionRequirements;
  /**
   * The plan against a model's keys (default: `inKeys: ['input']`, `outKeys: ['output']`) and, if given, the
   * model itself: then it names every module the method will touch; without it, methods whose hooks depend
   * on the model declare patterns (path `'*'`).
   */
  plan(keys?: ModelKeys, model?: ModelNode): MethodPlan;
  /**
   * A JSON description: what it is, its configuration, and the hooks it installs (per module with
   * `model`, as patterns where they depend on the model without it).
   */
  describe(options?: MethodDescribeOptions): JsonValue;
  /** Installs the method on `model` and returns the prepared model. */
  prepare(model: ModelNode, keys?: ModelKeys): PreparedModel;
}

/**
 * Options of a method's `describe()`: the JSON options, the model keys and the model to plan against.
 *
 * @example
 * lrp({ composite: 'epsilonPlus' }).describe({ model }); // one 'lrp-rule' hook per module, with its rule
 */
export interface MethodDescribeOptions extends DescribeOptions {
  readonly keys?: ModelKeys;
  /** Describe the plan for this model (read, never changed). Default: the model-free plan. */
  readonly model?: ModelNode;
}

/**
 * A configured method: options fixed, ready to be planned, described and prepared on models.
 *
 * @example
 * const norms = activationNorms({ paths: ['fc1', 'fc2'] });
 * norms.describe(); // JSON: id, contract, options, requirements, hooks
 * using prepared = norms.prepare(model);
 */
export interface Method<Options = unknown, Configured = Options> extends MethodLike {
  /** The configured options: what `configure` returned, every default filled in. */
  readonly options: Readonly<Configured>;
  readonly definition: MethodDefinition<Options, Configured>;
}

/**
 * The parts of a definition that registries and tools read, whatever its options type.
 *
 * @example
 * const info: MethodDefinitionInfo = activationNorms.definition;
 * checkDefinition(info); // throws a ContractError for a wrong contract, a malformed id or no plan/bind
 */
export interface MethodDefinitionInfo {
  readonly contract: string;
  readonly id: string;
  readonly summary?: string;
  readonly plan: (...args: never[]) => unknown;
  readonly bind: (...args: never[]) => unknown;
}

/**
 * A method factory of any options type, as a registry holds it.
 *
 * @example
 * const installed: AnyMethodFactory[] = [saliency, activationNorms];
 * for (const factory of installed) registry.use(factory);
 */
export interface AnyMethodFactory {
  readonly id: string;
  readonly definition: MethodDefinitionInfo;
}

/**
 * A method plugin's factory: call it with options to get a {@link Method}.
 *
 * @example
 * const activationNorms: MethodFactory<ActivationNormsOptions> = defineMethod(definition);
 * activationNorms.id; // 'acme/activation-norms'
 * const method = activationNorms({ paths: ['fc1'] }); // a Method<ActivationNormsOptions>
 */
export interface MethodFactory<Options, Configured = Options> {
  (options: Options): Method<Options, Configured>;
  readonly id: string;
  readonly definition: MethodDefinition<Options, Configured>;
}

/**
 * Checks a method definition against the contract and returns its factory. Third parties write methods
 * exactly as tdhook's own packages do: a definition object passed here.
 *
 * @example
 * export const activationNorms = defineMethod<ActivationNormsOptions>({ contract: 'tdhook.method/1', id: 'acme/activation-norms', plan, bind });
 * const method = activationNorms({ paths: ['fc1'] });
 */
// Pure: bundlers drop a method (or operator) that is defined but never imported.
/* @__NO_SIDE_EFFECTS__ */
export function defineMethod<Options, Configured = Options>(
  definition: MethodDefinition<Options, Configured>,
): MethodFactory<Options, Configured> {
  checkDefinition(definition);
  const factory = (options: Options): Method<Options, Configured> => configure(definition, options);
  return Object.assign(factory, { id: definition.id, definition });
}

/**
 * Throws a {@link ContractError} explaining what is wrong with a definition: contract version, id format,
 * missing functions.
 *
 * @example
 * checkDefinition(plugin);
 */
export function checkDefinition(definition: MethodDefinitionInfo): void {
  const { contract, id } = definition as { contract: unknown; id: unknown };
  if (contract !== methodContract) {
    throw new ContractError({
      what: `Method ${JSON.stringify(id)} declares contract ${JSON.stringify(contract)}`,
      where: 'defineMethod',
      fix: `This @tdhook/core implements '${methodContract}': update the plugin or use a matching core version.`,
    });
  }
  if (typeof id !== 'string' || !idPattern.test(id)) {
    throw new ContractError({
      what: `Method id ${JSON.stringify(id)} is not 'family/name' in lower-case words and dashes`,
      where: 'defineMethod',
      fix: "Use an id like 'attribution/saliency' or 'acme/activation-norms'.",
    });
  }
  for (const name of ['plan', 'bind'] as const) {
    if (typeof definition[name] !== 'function') {
      throw new ContractError({
        what: `Method '${id}' has no ${name}() function`,
        where: 'defineMethod',
        fix: `Add ${name}(options, …).`,
      });
    }
  }
}

function checkPlan(plan: MethodPlan, id: string, forModel: boolean): MethodPlan {
  const keys = (list: readonly KeyPath[], name: string): KeyPath[] =>
    list.map((key, index) => toKeyPath(key, `${id} plan ${name}[${index}]`));
  const pattern = forModel ? plan.hooks.find(isPatternSpec) : undefined;
  if (pattern !== undefined) {
    throw new ContractError({
      what: `Method '${id}' planned against a model declares the pattern ${JSON.stringify(pattern)}`,
      where: 'plan',
      fix: "Against a model (model.node set), list one spec per module; patterns (path '*') are for model-free plans.",
    });
  }
  const { collects = false } = plan as { collects?: unknown };
  if (typeof collects !== 'boolean') {
    throw new ContractError({
      what: `Method '${id}' plan's collects must be a boolean, got ${JSON.stringify(collects)}`,
      where: 'plan',
      fix: 'Set collects: true when bind returns a runner with collect() (captureRunner), else leave it out.',
    });
  }
  return Object.freeze({
    hooks: Object.freeze(plan.hooks.map((spec) => checkHookSpec(spec, `${id} plan`))),
    inKeys: Object.freeze(keys(plan.inKeys, 'inKeys')),
    outKeys: Object.freeze(keys(plan.outKeys, 'outKeys')),
    collects,
  });
}

// A plain-JS configure that only validates returns nothing: say so here, not later as a raw TypeError.
function checkConfigured<Configured>(configured: Configured, id: string): Configured {
  if (typeof configured !== 'object' || configured === null) {
    throw new ContractError({
      what: `Method '${id}' configure() returned ${configured === null ? 'null' : typeof configured}, not the options object`,
      where: 'configure',
      fix: 'Return the checked options with every default filled in (e.g. return { ...options, key: options.key ?? "attr" }).',
    });
  }
  return configured;
}

function configure<Options, Configured>(
  definition: MethodDefinition<Options, Configured>,
  rawOptions: Options,
): Method<Options, Configured> {
  // Without configure the options are the configured ones (MethodConfigure makes it required otherwise).
  const fill = (definition as { readonly configure?: (options: Options) => Configured }).configure;
  const options = Object.freeze(
    fill === undefined
      ? (rawOptions as unknown as Configured)
      : checkConfigured(fill(rawOptions), definition.id),
  );
  const requirements = checkRequirements(
    definition.requirements?.(options) ?? defaultRequirements,
    definition.id,
  );
  // Which models this configured method is currently prepared on: preparing twice would stack its hooks.
  const activeOn = new WeakSet();
  const planFor = (keys: ModelKeys = {}, node?: ModelNode): MethodPlan => {
    if (node !== undefined && !isModelNode(node)) {
      throw new InvalidValueError({
        what: `Method '${definition.id}' was asked to plan against something that is not a model`,
        where: 'plan',
        fix: 'Pass a tdhook Module or a TF.js Layers model, or leave the model out for the model-free plan.',
      });
    }
    const info: MethodModelInfo = {
      ...modelKeyPaths(node === undefined ? keys : resolveModelKeys(node, keys)),
      ...(node === undefined ? {} : { node }),
    };
    return checkPlan(definition.plan(options, info), definition.id, node !== undefined);
  };
  const method: Method<Options, Configured> = {
    id: definition.id,
    options,
    requirements,
    definition,
    plan: (keys, model) => planFor(keys, model),
    describe: (describeOptions = {}) => {
      const plan = planFor(describeOptions.keys, describeOptions.model);
      return Object.freeze({
        id: definition.id,
        contract: methodContract,
        options: describeValue(options, describeOptions),
        requirements: { modelPasses: requirements.modelPasses, gradients: requirements.gradients },
        hooks: plan.hooks.map((spec) => describeValue({ ...spec })),
        inKeys: plan.inKeys.map((key) => [...key]),
        outKeys: plan.outKeys.map((key) => [...key]),
        collects: plan.collects === true,
      });
    },
    prepare: (model, keys = {}) => {
      const keyed = new KeyedModel(model, keys);
      if (activeOn.has(model)) {
        throw new ContextError({
          what: `Method '${definition.id}' is already prepared on this model`,
          where: 'prepare',
          fix: 'Restore (or dispose) the first prepared model before preparing it again.',
        });
      }
      const plan = planFor({ inKeys: keyed.inKeys, outKeys: keyed.outKeys }, model);
      activeOn.add(model);
      return new PreparedModel(keyed, {
        id: definition.id,
        plan,
        bind: (context) => definition.bind(options, context),
        released: () => {
          activeOn.delete(model);
        },
      });
    },
  };
  return Object.freeze(method);
}
