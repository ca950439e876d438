import type { HookByDirection, HookDirection } from '../hooks/hook-types.js';
import type { KeyPath } from '../keys.js';
import type { ModelNode } from '../modules/model-node.js';
import type { TensorDict } from '../tensordict/tensor-dict.js';
import type { ExecutionRequirements } from './execution.js';
import type { HookSpec } from './hook-spec.js';
import type { KeyedModel } from './keyed-model.js';

/**
 * The version of the method contract this core implements. A plugin states the contract it was written
 * for; core refuses others with an explanation, so a breaking change is never silent.
 *
 * @example
 * defineMethod({ contract: methodContract, id: 'acme/x', plan, bind });
 */
export const methodContract = 'tdhook.method/1';

/**
 * What a method is planned against: the model keys and, when the plan is made for a model (`prepare`,
 * `method.plan(keys, model)`, `describe({ model })`), the model itself.
 *
 * @example
 * // What plan() gets for a model wrapped with { inKeys: ['pixels'], outKeys: ['logits'] }:
 * const model: MethodModelInfo = { inKeys: [['pixels']], outKeys: [['logits']], node: net };
 * // Planned without a model (describe(), a workflow's description): no node.
 * const modelFree: MethodModelInfo = { inKeys: [['pixels']], outKeys: [['logits']] };
 */
export interface MethodModelInfo {
  readonly inKeys: readonly KeyPath[];
  readonly outKeys: readonly KeyPath[];
  /**
   * The model the plan is for, when there is one. `plan` may read it (its modules, their classes and
   * configuration) to list one hook per module it will touch; it must never change it. Without it, a method
   * whose hooks depend on the model declares them as a pattern (a spec with path `'*'`, see {@link HookSpec}).
   */
  readonly node?: ModelNode;
}

/**
 * What a method will do, known before it touches a model: the hooks it installs and the TensorDict keys it
 * reads and writes. `inKeys` lists every key read (the model's included); `outKeys` the keys the method itself
 * writes (not the model's outputs, unless it publishes them). `collects: true` says that its runner has
 * `collect` (what {@link captureRunner} builds), so a workflow may run it in a model pass it shares with
 * other read-only capture methods; core checks the runner against it at bind.
 *
 * @example
 * const hooks: HookSpec[] = [{ path: 'fc1', direction: 'forward', operation: 'capture' }];
 * const plan: MethodPlan = { hooks, inKeys: [['input']], outKeys: [['norms', 'fc1']], collects: true };
 */
export interface MethodPlan {
  readonly hooks: readonly HookSpec[];
  readonly inKeys: readonly KeyPath[];
  readonly outKeys: readonly KeyPath[];
  /** The runner has `collect`: it can publish what its hooks captured in a pass another method ran. Default `false`. */
  readonly collects?: boolean;
}

/**
 * What `bind` gets: the keyed model and the only sanctioned way to change it.
 *
 * @example
 * bind: ({ paths }, context: BindContext) => {
 *   for (const path of paths) context.hook({ path, direction: 'forward', operation: 'capture' }, keep(path));
 *   return captureRunner(context.model, publishCaptures);
 * },
 */
export interface BindContext {
  readonly model: KeyedModel;
  /** Installs a hook declared in the plan; it is removed when the prepared model is restored. */
  hook<D extends HookDirection>(spec: HookSpec & { readonly direction: D }, hook: HookByDirection[D]): void;
  /** Records a change that is not a hook (declared in the plan with `direction: null`) and how to undo it. */
  record(spec: HookSpec & { readonly direction: null }, undo: () => void): void;
  /**
   * Registers `release`, run when the prepared model is restored (also after an error): it frees what the
   * method itself holds (tensors its hooks captured but nothing published yet). It changes nothing on the
   * model, so it needs no plan entry and is not part of the program.
   */
  onRestore(release: () => void): void;
}

/**
 * The bound, runnable form of a method.
 *
 * @example
 * const passThrough: MethodRunner = { run: (data) => context.model.run(data) };
 * const capturing: MethodRunner = captureRunner(context.model, publishCaptures); // run and collect
 */
export interface MethodRunner {
  /**
   * Runs the method on `data` and returns a new TensorDict that the caller owns; `data` must be left as it
   * was. Run the model through `context.model` so that hooks apply.
   */
  run(data: TensorDict): TensorDict;
  /**
   * For read-only capture methods: publish what the hooks captured during a model pass that someone else
   * ran (a workflow running several capture methods in one pass). Returns a new TensorDict of the outputs.
   */
  collect?(data: TensorDict): TensorDict;
}

/**
 * A method plugin: a plain object, the same contract for tdhook's own packages and third parties. `configure`
 * checks the user's `Options` and fills every default once, giving the `Configured` options that
 * `requirements`, `plan` and `bind` receive (the same type when there are no defaults to fill: then
 * `configure` may be left out). `plan` is pure (no tensors; it reads the model when given one and changes
 * nothing); `bind` installs the planned hooks on a model and returns the runner.
 *
 * @example
 * export const activationNorms = defineMethod<{ paths: string[] }>({
 *   contract: 'tdhook.method/1',
 *   id: 'acme/activation-norms',
 *   requirements: () => ({ modelPasses: 1, gradients: 'disabled' }),
 *   plan: ({ paths }, model) => ({
 *     hooks: paths.map((path) => ({ path, direction: 'forward', operation: 'capture' })),
 *     inKeys: model.inKeys,
 *     outKeys: paths.map((path) => ['norms', path] as const),
 *   }),
 *   bind: ({ paths }, context) => { ... return { run: (data) => ... }; },
 * });
 */
export type MethodDefinition<Options, Configured = Options> = MethodDefinitionParts<Configured> &
  MethodConfigure<Options, Configured>;

/**
 * `configure` of a {@link MethodDefinition}: optional when the user's options already are the configured ones,
 * required when it fills defaults (the configured type has fields the options type leaves optional).
 *
 * @example
 * const configure: MethodConfigure<{ key?: string }, { key: string }>['configure'] = (options) => ({
 *   key: options.key ?? 'norms',
 * });
 */
export type MethodConfigure<Options, Configured> = [Options] extends [Configured]
  ? {
      /** Checks and normalises the options; throws typed errors for bad ones. */
      readonly configure?: (options: Options) => Configured;
    }
  : {
      /** Checks the options and fills every default (once, here); throws typed errors for bad ones. */
      readonly configure: (options: Options) => Configured;
    };

/**
 * Options once `configure` has filled the defaults of the fields `Defaulted`: those fields are present, the
 * others as given. The usual `Configured` type of a {@link MethodDefinition}.
 *
 * @example
 * type ConfiguredNorms = WithDefaults<{ paths: string[]; key?: string }, 'key'>; // key: string
 * defineMethod<NormsOptions, ConfiguredNorms>({ ..., configure: (options) => ({ ...options, key: options.key ?? 'norms' }) });
 */
export type WithDefaults<Options, Defaulted extends keyof Options> = Options &
  Required<Pick<Options, Defaulted>>;

/**
 * Everything of a {@link MethodDefinition} but `configure`.
 *
 * @example
 * const parts: MethodDefinitionParts<NormsOptions> = { contract: 'tdhook.method/1', id: 'acme/norms', plan, bind };
 */
export interface MethodDefinitionParts<Configured> {
  readonly contract: typeof methodContract;
  /** `family/name`, lower-case words and dashes: `attribution/saliency`, `acme/activation-norms`. */
  readonly id: `${string}/${string}`;
  /** One line for listings. */
  readonly summary?: string;
  /** Default: one pass, gradients optional. */
  readonly requirements?: (options: Configured) => ExecutionRequirements;
  /**
   * Every hook and state change `bind` will make, and the keys read and written. Against a model
   * (`model.node` set) it names concrete module paths; without one it may declare patterns (path `'*'`).
   */
  readonly plan: (options: Configured, model: MethodModelInfo) => MethodPlan;
  readonly bind: (options: Configured, context: BindContext) => MethodRunner;
}
