import { InvalidValueError } from '@tdhook/core';

// The transformer's configuration and the Hugging Face GPT-2 weight names it maps to. This file is the contract
// between the model (src/model), the checkpoint reader/writer (src/checkpoint) and the assets that train models.

/**
 * The activation of the MLP: `gelu_new` (GPT-2's tanh approximation), `gelu` (exact, erf) or `relu`.
 *
 * @example
 * const act: ActivationFunction = 'gelu_new';
 */
export type ActivationFunction = 'gelu_new' | 'gelu' | 'relu';

/**
 * The size and shape of a GPT-2-architecture decoder, named as TransformerLens names them. Only `nLayers`,
 * `dModel`, `nHeads`, `nCtx` and `dVocab` are required; the rest have GPT-2's defaults.
 *
 * @example
 * const config: TransformerConfig = { nLayers: 2, dModel: 64, nHeads: 4, nCtx: 32, dVocab: 96 };
 */
export interface TransformerConfig {
  readonly nLayers: number;
  readonly dModel: number;
  readonly nHeads: number;
  /** The longest sequence (rows of the learned position table, `n_positions`). */
  readonly nCtx: number;
  readonly dVocab: number;
  /** Width of one head; default `dModel / nHeads` (must divide exactly). */
  readonly dHead?: number;
  /** Width of the MLP's hidden layer; default `4 · dModel` (`n_inner`). */
  readonly dMlp?: number;
  /** Blocks without an MLP (circuit models); default false. */
  readonly attnOnly?: boolean;
  /** Default `'gelu_new'`. */
  readonly actFn?: ActivationFunction;
  /** Default 1e-5. */
  readonly layerNormEps?: number;
}

/**
 * A {@link TransformerConfig} with every default filled in.
 *
 * @example
 * const full: ResolvedTransformerConfig = resolveTransformerConfig({ nLayers: 2, dModel: 64, nHeads: 4, nCtx: 32, dVocab: 96 });
 */
export type ResolvedTransformerConfig = Required<TransformerConfig>;

const activationFunctions: readonly ActivationFunction[] = ['gelu_new', 'gelu', 'relu'];
const where = 'resolveTransformerConfig';

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function positiveInteger(config: Readonly<Record<string, unknown>>, field: string, example: number): number {
  const value = config[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidValueError({
      what: `${field} must be a positive integer, got ${describe(value)}`,
      where: `${where}: config.${field}`,
      fix: `Pass e.g. ${field}: ${example}.`,
    });
  }
  return value;
}

/**
 * Checks a {@link TransformerConfig} and fills in the defaults: `dHead = dModel / nHeads` (which must divide
 * exactly unless `dHead` is given), `dMlp = 4 · dModel`, `attnOnly = false`, `actFn = 'gelu_new'`,
 * `layerNormEps = 1e-5`. Sizes must be positive integers, `actFn` a known activation and `layerNormEps` a
 * positive number; anything else is an `InvalidValueError` naming the field.
 *
 * @example
 * const config = resolveTransformerConfig({ nLayers: 2, dModel: 64, nHeads: 4, nCtx: 32, dVocab: 96 });
 * config.dHead; // 16
 */
export function resolveTransformerConfig(config: TransformerConfig): ResolvedTransformerConfig {
  if (typeof config !== 'object' || (config as unknown) === null) {
    throw new InvalidValueError({
      what: `A transformer config must be an object, got ${(config as unknown) === null ? 'null' : typeof config}`,
      where,
      fix: 'Pass e.g. { nLayers: 2, dModel: 64, nHeads: 4, nCtx: 32, dVocab: 96 }.',
    });
  }
  const fields = config as unknown as Readonly<Record<string, unknown>>;
  const known = new Set([
    'nLayers',
    'dModel',
    'nHeads',
    'nCtx',
    'dVocab',
    'dHead',
    'dMlp',
    'attnOnly',
    'actFn',
    'layerNormEps',
  ]);
  const unknown = Object.keys(fields).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new InvalidValueError({
      what: `Unknown config field(s) ${unknown.map((key) => JSON.stringify(key)).join(', ')}`,
      where,
      fix: `Use only ${[...known].join(', ')}.`,
    });
  }
  const nLayers = positiveInteger(fields, 'nLayers', 2);
  const dModel = positiveInteger(fields, 'dModel', 64);
  const nHeads = positiveInteger(fields, 'nHeads', 4);
  const nCtx = positiveInteger(fields, 'nCtx', 32);
  const dVocab = positiveInteger(fields, 'dVocab', 96);
  let dHead: number;
  if (config.dHead === undefined) {
    if (dModel % nHeads !== 0) {
      throw new InvalidValueError({
        what: `dModel ${dModel} is not divisible by nHeads ${nHeads}`,
        where: `${where}: config.dModel / config.nHeads`,
        fix: 'Choose nHeads that divides dModel, or give dHead explicitly.',
      });
    }
    dHead = dModel / nHeads;
  } else {
    dHead = positiveInteger(fields, 'dHead', dModel / nHeads);
  }
  const dMlp = config.dMlp === undefined ? 4 * dModel : positiveInteger(fields, 'dMlp', 4 * dModel);
  const attnOnly = config.attnOnly ?? false;
  if (typeof attnOnly !== 'boolean') {
    throw new InvalidValueError({
      what: `attnOnly must be a boolean, got ${describe(attnOnly)}`,
      where: `${where}: config.attnOnly`,
      fix: 'Pass true for attention-only blocks, false (the default) for blocks with an MLP.',
    });
  }
  const actFn = config.actFn ?? 'gelu_new';
  if (!activationFunctions.includes(actFn)) {
    throw new InvalidValueError({
      what: `Unknown activation function ${describe(actFn)}`,
      where: `${where}: config.actFn`,
      fix: `Use one of ${activationFunctions.map((name) => `'${name}'`).join(', ')}.`,
    });
  }
  const layerNormEps = config.layerNormEps ?? 1e-5;
  if (typeof layerNormEps !== 'number' || !Number.isFinite(layerNormEps) || layerNormEps <= 0) {
    throw new InvalidValueError({
      what: `layerNormEps must be a positive finite number, got ${describe(layerNormEps)}`,
      where: `${where}: config.layerNormEps`,
      fix: 'Pass e.g. layerNormEps: 1e-5 (GPT-2).',
    });
  }
  return Object.freeze({
    nLayers,
    dModel,
    nHeads,
    nCtx,
    dVocab,
    dHead,
    dMlp,
    attnOnly,
    actFn,
    layerNormEps,
  });
}

/**
 * One tensor of a GPT-2 checkpoint: its Hugging Face name (without the `transformer.` prefix) and shape.
 *
 * @example
 * const spec: Gpt2WeightSpec = { name: 'h.0.attn.c_attn.weight', shape: [64, 192] };
 */
export interface Gpt2WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/**
 * Every tensor a GPT-2 checkpoint of this configuration holds, in Hugging Face names without the
 * `transformer.` prefix, in the layout HF stores them (Conv1D weights `[in, out]`). The unembedding is tied
 * to `wte` (there is no `lm_head.weight`); attention-only configurations have no `ln_2`/`mlp` tensors.
 *
 * @example
 * gpt2WeightSpecs(config).map((spec) => spec.name); // ['wte.weight', 'wpe.weight', 'h.0.ln_1.weight', ...]
 */
export function gpt2WeightSpecs(config: ResolvedTransformerConfig): Gpt2WeightSpec[] {
  const { nLayers, dModel, nHeads, dHead, dMlp, nCtx, dVocab, attnOnly } = config;
  const inner = nHeads * dHead;
  const specs: Gpt2WeightSpec[] = [
    { name: 'wte.weight', shape: [dVocab, dModel] },
    { name: 'wpe.weight', shape: [nCtx, dModel] },
  ];
  for (let i = 0; i < nLayers; i++) {
    const block = `h.${i}`;
    specs.push(
      { name: `${block}.ln_1.weight`, shape: [dModel] },
      { name: `${block}.ln_1.bias`, shape: [dModel] },
      { name: `${block}.attn.c_attn.weight`, shape: [dModel, 3 * inner] },
      { name: `${block}.attn.c_attn.bias`, shape: [3 * inner] },
      { name: `${block}.attn.c_proj.weight`, shape: [inner, dModel] },
      { name: `${block}.attn.c_proj.bias`, shape: [dModel] },
    );
    if (!attnOnly) {
      specs.push(
        { name: `${block}.ln_2.weight`, shape: [dModel] },
        { name: `${block}.ln_2.bias`, shape: [dModel] },
        { name: `${block}.mlp.c_fc.weight`, shape: [dModel, dMlp] },
        { name: `${block}.mlp.c_fc.bias`, shape: [dMlp] },
        { name: `${block}.mlp.c_proj.weight`, shape: [dMlp, dModel] },
        { name: `${block}.mlp.c_proj.bias`, shape: [dModel] },
      );
    }
  }
  specs.push({ name: 'ln_f.weight', shape: [dModel] }, { name: 'ln_f.bias', shape: [dModel] });
  return specs;
}
