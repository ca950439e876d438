import {
  InvalidValueError,
  toKeyPath,
  type ExecutionRequirements,
  type Key,
  type Method,
  type MethodFactory,
  type MethodPlan,
} from '@tdhook/core';
import {
  defineMethod,
  isPlainObject,
  type BindContext,
  type MethodModelInfo,
  type MethodRunner,
  type WithDefaults,
} from '@tdhook/core/plugin';

import { noiseTunnelKinds, type NoiseTunnelKind } from './aggregate.js';
import { noiseTunnelRunner } from './tunnel-runner.js';

/**
 * A configured method as the noise tunnel wraps it, whatever its options type: what `saliency(...)`,
 * `integratedGradients(...)` or any `defineMethod` factory returns.
 *
 * @example
 * const inner: WrappedMethod = saliency({ target: { select: 'argmax' } });
 */
export interface WrappedMethod {
  readonly id: string;
  readonly options: unknown;
  readonly requirements: ExecutionRequirements;
  readonly definition: {
    readonly plan: (options: never, model: MethodModelInfo) => MethodPlan;
    readonly bind: (options: never, context: BindContext) => MethodRunner;
  };
  describe: Method['describe'];
}

/**
 * Options of {@link noiseTunnel} (and of the method {@link noiseTunnelMethod}, which takes the wrapped
 * method as `method`).
 *
 * @example
 * const options: NoiseTunnelOptions = { method: saliency({ target: { select: 'argmax' } }), samples: 20, stdev: 0.15, seed: 1 };
 */
export interface NoiseTunnelOptions {
  /** The configured method whose attributions are smoothed. Required. */
  readonly method: WrappedMethod;
  /** Noisy copies of the input. Default `10`. */
  readonly samples?: number;
  /**
   * Standard deviation of the Gaussian noise, absolute (in the input's units; captum's `stdevs`): one
   * number for every noised input, or one per input key (nested keys joined by dots). Default `1`.
   */
  readonly stdev?: number | Readonly<Record<string, number>>;
  /** How the copies' attributions are combined (see {@link NoiseTunnelKind}). Default `'smoothgrad'`. */
  readonly kind?: NoiseTunnelKind;
  /** Seed of the noise, for reproducible results. Default: fresh noise on every run. */
  readonly seed?: number;
  /** Copies per run of the wrapped method, to bound memory. Default: all of them (`samples + 1`) in one run. */
  readonly samplesPerPass?: number;
  /**
   * The model inputs that get noise. Default: the wrapped method's `inputs` option if it has a non-empty
   * one, else every float32 model input.
   */
  readonly inputs?: readonly Key[];
}

const id = 'attribution/noise-tunnel';

/**
 * The options of {@link noiseTunnel} once `configure` has filled in the defaults (the only place they are
 * written): what `method.options` and `describe()` show, and what the runner and the requirements read.
 *
 * @example
 * const configured: ConfiguredNoiseTunnelOptions = noiseTunnel(saliency({ target: { select: 3 } })).options;
 * configured.samples; // 10
 */
export type ConfiguredNoiseTunnelOptions = WithDefaults<
  NoiseTunnelOptions,
  'samples' | 'stdev' | 'kind' | 'samplesPerPass'
>;

// Typed as it behaves: JSON.stringify returns undefined for undefined and functions.
const stringify: (value: unknown) => string | undefined = JSON.stringify;
const show = (value: unknown): string =>
  typeof value === 'number' ? String(value) : (stringify(value) ?? typeof value);

function checkWhole(value: unknown, name: string, least: number): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isSafeInteger(value) || value < least)) {
    throw new InvalidValueError({
      what: `${name} must be a whole number ≥ ${least}, got ${show(value)}`,
      where: id,
    });
  }
}

function checkStdev(stdev: unknown): void {
  const valid = (value: unknown): boolean =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0;
  if (stdev === undefined || valid(stdev)) return;
  if (isPlainObject(stdev) && Object.keys(stdev).length > 0 && Object.values(stdev).every(valid)) return;
  throw new InvalidValueError({
    what: `stdev must be a finite number ≥ 0 or a record of them per input key, got ${show(stdev)}`,
    where: id,
    fix: 'The noise is absolute: pick it on the scale of the input, e.g. 0.15 × (max − min).',
  });
}

interface TargetLike {
  readonly select?: unknown;
}

/** Per-sample index arrays name one unit per sample of the clean batch, which the copies multiply. */
function checkTargets(options: unknown): void {
  if (!isPlainObject(options)) return;
  const { target, targets } = options as { target?: TargetLike; targets?: Record<string, TargetLike> };
  const all = [target, ...Object.values(isPlainObject(targets) ? targets : {})];
  if (all.some((entry) => Array.isArray(entry?.select))) {
    throw new InvalidValueError({
      what: 'The wrapped method selects units with a per-sample array, which does not follow the noisy copies',
      where: id,
      fix: "Store the units as an int32 tensor in the TensorDict and select them with { labels: 'key' }: it is copied with the inputs.",
    });
  }
}

function configure(options: NoiseTunnelOptions): ConfiguredNoiseTunnelOptions {
  if (!isPlainObject(options)) {
    throw new InvalidValueError({ what: 'Options must be an object', where: id, fix: 'Pass { method }.' });
  }
  const method = options.method as Partial<WrappedMethod> | undefined;
  if (
    typeof method !== 'object' ||
    typeof method.definition?.bind !== 'function' ||
    typeof method.definition.plan !== 'function'
  ) {
    throw new InvalidValueError({
      what: 'method must be a configured method',
      where: id,
      fix: 'Wrap what a method factory returns: noiseTunnel(saliency({ ... }), { samples: 10 }).',
    });
  }
  checkTargets(method.options);
  checkWhole(options.samples, 'samples', 1);
  checkWhole(options.samplesPerPass, 'samplesPerPass', 1);
  checkStdev(options.stdev);
  if (options.kind !== undefined && !noiseTunnelKinds.includes(options.kind)) {
    throw new InvalidValueError({
      what: `kind must be one of ${noiseTunnelKinds.join(', ')}, got ${JSON.stringify(options.kind)}`,
      where: id,
    });
  }
  if (options.seed !== undefined && (typeof options.seed !== 'number' || !Number.isFinite(options.seed))) {
    throw new InvalidValueError({ what: 'seed must be a finite number', where: id });
  }
  options.inputs?.forEach((key, index) => toKeyPath(key, `${id} inputs[${index}]`));
  const samples = options.samples ?? 10;
  const filled: ConfiguredNoiseTunnelOptions = {
    ...options,
    samples,
    stdev: options.stdev ?? 1,
    kind: options.kind ?? 'smoothgrad',
    samplesPerPass: options.samplesPerPass ?? samples + 1,
  };
  return filled;
}

function passes({ samples, samplesPerPass }: ConfiguredNoiseTunnelOptions): number {
  return Math.ceil((samples + 1) / samplesPerPass);
}

/** The wrapped method's plan: the noise tunnel installs its hooks and writes its keys. */
function innerPlan(options: NoiseTunnelOptions, model: MethodModelInfo): MethodPlan {
  const { definition } = options.method;
  return (definition.plan as (options: unknown, model: MethodModelInfo) => MethodPlan)(
    options.method.options,
    model,
  );
}

/**
 * The noise tunnel as a method taking the wrapped method in its options; {@link noiseTunnel} is the
 * usual way to call it.
 *
 * @example
 * const smooth = noiseTunnelMethod({ method: saliency({ target: { select: 'argmax' } }), samples: 20, stdev: 0.1 });
 */
export const noiseTunnelMethod: MethodFactory<NoiseTunnelOptions, ConfiguredNoiseTunnelOptions> =
  /* @__PURE__ */ defineMethod<NoiseTunnelOptions, ConfiguredNoiseTunnelOptions>({
    contract: 'tdhook.method/1',
    id,
    summary: 'SmoothGrad, SmoothGrad² and VarGrad: attributions averaged over noisy copies of the input',
    configure,
    requirements: (options) => ({
      modelPasses: options.method.requirements.modelPasses * passes(options),
      gradients: options.method.requirements.gradients,
    }),
    // The wrapped method's hooks and keys, but never collects: the tunnel runs its copies itself.
    plan: (options, model) => ({ ...innerPlan(options, model), collects: false }),
    bind: (options, context) => {
      const bind = options.method.definition.bind as (options: unknown, context: BindContext) => MethodRunner;
      const inner = bind(options.method.options, context);
      const model = { inKeys: context.model.inKeys, outKeys: context.model.outKeys };
      return noiseTunnelRunner(options, inner, innerPlan(options, model), model, id);
    },
  });

/**
 * SmoothGrad (Smilkov et al., 2017) and its variants over any configured attribution method: the
 * attributions of `samples` copies of the input with Gaussian noise `N(0, stdev²)` added to the attributed
 * inputs, combined by `kind` — the mean (`'smoothgrad'`), the mean of squares (`'smoothgrad_sq'`) or the
 * variance (`'vargrad'`, Adebayo et al., 2018). As captum's `NoiseTunnel`, with absolute `stdev`.
 *
 * The copies run batched through the wrapped method (`samplesPerPass` at a time), with the clean input as
 * one more copy: every attribution key the wrapped method writes (under its `attributionKey`, default
 * `'attr'`) is aggregated over the noisy copies, and its other outputs (model outputs, IG's convergence
 * delta) are those of the clean input. Targets are evaluated on each copy: `'argmax'` is the class
 * predicted for the noisy copy; to explain the clean prediction, give the class.
 *
 * @example
 * using prepared = noiseTunnel(saliency({ target: { select: 3 } }), { samples: 20, stdev: 0.1, seed: 1 }).prepare(model);
 * using result = prepared.run(new TensorDict({ input: x }, { batchShape: [4] }));
 * result.getTensor(['attr', 'input']); // SmoothGrad: the mean gradient over 20 noisy copies
 */
export function noiseTunnel(
  method: WrappedMethod,
  options: Omit<NoiseTunnelOptions, 'method'> = {},
): Method<NoiseTunnelOptions, ConfiguredNoiseTunnelOptions> {
  return noiseTunnelMethod({ ...options, method });
}
