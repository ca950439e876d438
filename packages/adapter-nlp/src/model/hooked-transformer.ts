import * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError, Module, ModuleList, ShapeMismatchError, namedModules } from '@tdhook/core';
import { describeStructure } from '@tdhook/core/plugin';

import {
  runWithCache,
  type RunWithCacheOptions,
  type RunWithCacheResult,
} from '../run-with-cache/run-with-cache.js';
import {
  gpt2WeightSpecs,
  resolveTransformerConfig,
  type ResolvedTransformerConfig,
  type TransformerConfig,
} from './config.js';
import { Embed } from './embed.js';
import { gpt2NameOf } from './gpt2-names.js';
import { checkGpt2Weights } from './gpt2-weight-checks.js';
import { HookPoint } from './hook-point.js';
import { gpt2InitialValue } from './initialization.js';
import { checkEmbeddings, checkTokens } from './input-checks.js';
import { KeyValueCache } from './key-value-cache.js';
import { KeyValueSlot } from './key-value-slot.js';
import { LayerNorm } from './layer-norm.js';
import { childSource, type ParameterSource } from './parameter-source.js';
import { PosEmbed } from './pos-embed.js';
import { TransformerBlock } from './transformer-block.js';
import { Unembed } from './unembed.js';

/**
 * Options of {@link HookedTransformer.create}.
 *
 * @example
 * const options: CreateTransformerOptions = { seed: 1 };
 */
export interface CreateTransformerOptions {
  /** Seeds the random initialisation: the same seed gives the same weights on every backend. */
  readonly seed: number;
}

/**
 * What {@link HookedTransformer.forwardWithCache} returns: the logits of the new positions and the cache
 * of every position so far. Both are the caller's to dispose.
 *
 * @example
 * const { logits, cache }: ForwardWithCacheResult = model.forwardWithCache(prompt);
 */
export interface ForwardWithCacheResult {
  /** `[batch, newPositions, dVocab]`. */
  readonly logits: tf.Tensor3D;
  readonly cache: KeyValueCache;
}

/**
 * A GPT-2-architecture decoder built from `@tdhook/core` Modules, whose every interesting tensor is a hook
 * point named as in TransformerLens (`hook_embed`, `blocks.0.attn.hook_q`, `ln_final.hook_normalized`, …;
 * see {@link HookedTransformer.hookPoints} and docs/hook-points.md). Core's hooks, `HookSession`, methods
 * and LRP work on it by module path; {@link HookedTransformer.runWithCache} caches selected hook points.
 *
 * Learned positions, pre-LayerNorm blocks, fused qkv in the Conv1D layout, causal softmax attention,
 * `gelu_new`, tied unembedding; attention-only blocks with `attnOnly`. Build one with
 * {@link HookedTransformer.create} (seeded GPT-2 init) or {@link HookedTransformer.fromGpt2Weights}.
 *
 * @example
 * const model = HookedTransformer.create({ nLayers: 2, dModel: 64, nHeads: 4, nCtx: 32, dVocab: 96 }, { seed: 1 });
 * const tokens = tf.tensor2d([[5, 17, 3]], [1, 3], 'int32');
 * const logits = model.call(tokens); // [1, 3, 96]
 * model.dispose();
 */
export class HookedTransformer extends Module {
  readonly config: ResolvedTransformerConfig;
  readonly embed: Embed;
  readonly hookEmbed: HookPoint;
  readonly posEmbed: PosEmbed;
  readonly hookPosEmbed: HookPoint;
  readonly blocks: ModuleList<TransformerBlock>;
  readonly lnFinal: LayerNorm;
  readonly unembed: Unembed;

  private constructor(config: ResolvedTransformerConfig, source: ParameterSource) {
    super();
    const { nLayers, dModel, nCtx, dVocab, layerNormEps } = config;
    this.config = config;
    this.embed = this.registerModule('embed', new Embed(dVocab, dModel, childSource(source, 'embed')));
    this.hookEmbed = this.registerModule('hook_embed', new HookPoint());
    this.posEmbed = this.registerModule(
      'pos_embed',
      new PosEmbed(nCtx, dModel, childSource(source, 'pos_embed')),
    );
    this.hookPosEmbed = this.registerModule('hook_pos_embed', new HookPoint());
    const blocks = Array.from(
      { length: nLayers },
      (_, layer) => new TransformerBlock(config, childSource(source, `blocks.${layer}`)),
    );
    this.blocks = this.registerModule('blocks', new ModuleList(blocks));
    this.lnFinal = this.registerModule(
      'ln_final',
      new LayerNorm(dModel, layerNormEps, childSource(source, 'ln_final')),
    );
    this.unembed = this.registerModule('unembed', new Unembed(this.embed));
  }

  // Builds with a source that records every variable it hands out, so that a failed build disposes them.
  static #build(config: ResolvedTransformerConfig, source: ParameterSource): HookedTransformer {
    const made: tf.Variable[] = [];
    try {
      return new HookedTransformer(config, (name, shape) => {
        const variable = source(name, shape);
        made.push(variable);
        return variable;
      });
    } catch (error) {
      for (const variable of made) variable.dispose();
      throw error;
    }
  }

  /**
   * A model with GPT-2's random initialisation (N(0, 0.02²) matrices and embeddings, residual projections
   * scaled by 1/√(2·nLayers), zero biases, unit LayerNorm weights), reproducible from `seed` on any backend.
   *
   * @example
   * const model = HookedTransformer.create({ nLayers: 2, dModel: 64, nHeads: 4, nCtx: 32, dVocab: 96 }, { seed: 1 });
   */
  static create(config: TransformerConfig, options: CreateTransformerOptions): HookedTransformer {
    const resolved = resolveTransformerConfig(config);
    const seed: unknown = (options as Partial<CreateTransformerOptions> | undefined)?.seed;
    if (typeof seed !== 'number' || !Number.isInteger(seed)) {
      throw new InvalidValueError({
        what: `options.seed must be an integer, got ${describeStructure(seed)}`,
        where: 'HookedTransformer.create',
        fix: 'Pass e.g. { seed: 1 }: the same seed gives the same weights.',
      });
    }
    return HookedTransformer.#build(resolved, (path, shape) =>
      tf.tidy(() => tf.variable(gpt2InitialValue(path, shape, seed, resolved.nLayers), true)),
    );
  }

  /**
   * A model holding copies of Hugging Face GPT-2 tensors, named as {@link gpt2WeightSpecs} lists them
   * (without `transformer.`; Conv1D weights `[in, out]`; no `lm_head.weight`, it is tied to `wte`). Every
   * name and shape is checked before anything is built: a missing, unexpected, misshapen or non-float32
   * tensor is a typed error naming it, and nothing stays allocated. The caller keeps `weights`.
   *
   * @example
   * const model = HookedTransformer.fromGpt2Weights(config, { 'wte.weight': wte, 'wpe.weight': wpe, … });
   */
  static fromGpt2Weights(
    config: TransformerConfig,
    weights: Readonly<Record<string, tf.Tensor>>,
  ): HookedTransformer {
    const resolved = resolveTransformerConfig(config);
    checkGpt2Weights(weights, gpt2WeightSpecs(resolved));
    return HookedTransformer.#build(resolved, (path) => {
      const tensor = weights[gpt2NameOf(path)] as tf.Tensor;
      // The variable shares the data (reference-counted): the caller may dispose its tensor at once.
      return tf.tidy(() => tf.variable(tf.clone(tensor), true));
    });
  }

  /**
   * Copies of every parameter under its Hugging Face GPT-2 name (the names of {@link gpt2WeightSpecs}); new
   * tensors the caller disposes.
   *
   * @example
   * const weights = model.gpt2Weights();
   * weights['h.0.attn.c_attn.weight'].shape; // [dModel, 3·dModel]
   * Object.values(weights).forEach((tensor) => tensor.dispose());
   */
  gpt2Weights(): Record<string, tf.Tensor> {
    const weights: Record<string, tf.Tensor> = {};
    for (const [path, parameter] of this.#parameterPaths()) weights[gpt2NameOf(path)] = tf.clone(parameter);
    return weights;
  }

  #parameterPaths(): [string, tf.Variable][] {
    const found: [string, tf.Variable][] = [];
    for (const [path, node] of namedModules(this)) {
      if (!(node instanceof Module)) continue;
      for (const [name, parameter] of node.namedParameters()) found.push([`${path}.${name}`, parameter]);
    }
    return found;
  }

  /**
   * Every hook point's name, in forward order: `hook_embed`, `hook_pos_embed`, then per block
   * `blocks.{i}.hook_resid_pre`, `blocks.{i}.ln1.hook_scale`, `blocks.{i}.ln1.hook_normalized`,
   * `blocks.{i}.attn.hook_q` … `hook_result`, `blocks.{i}.hook_attn_out`, …, and `ln_final.hook_scale`,
   * `ln_final.hook_normalized`. `hook_result` is listed although it only fires while
   * {@link HookedTransformer.useAttnResult} is on.
   *
   * @example
   * model.hookPoints().filter((name) => name.endsWith('hook_pattern')); // ['blocks.0.attn.hook_pattern', …]
   */
  hookPoints(): string[] {
    return namedModules(this)
      .filter(([, node]) => node instanceof HookPoint)
      .map(([path]) => path);
  }

  /**
   * Whether the attention layers compute each head's output (`attn.hook_result`, `[batch, pos, head,
   * d_model]`, TransformerLens's `use_attn_result`). Off by default (it holds nHeads × the attention output);
   * {@link HookedTransformer.runWithCache} turns it on by itself while a selected name is a `hook_result`.
   *
   * @example
   * model.setUseAttnResult(true);
   */
  get useAttnResult(): boolean {
    return this.blocks.items.some((block) => block.attn.useAttnResult);
  }

  /**
   * Turns the per-head `hook_result` on or off (see {@link HookedTransformer.useAttnResult}).
   *
   * @example
   * model.setUseAttnResult(true);
   * using _hook = registerHook(model, 'blocks.0.attn.hook_result', 'forward', (result) => { … });
   */
  setUseAttnResult(on: boolean): void {
    if (typeof on !== 'boolean') {
      throw new InvalidValueError({
        what: `setUseAttnResult takes a boolean, got ${describeStructure(on)}`,
        where: 'HookedTransformer.setUseAttnResult',
        fix: 'Pass true to compute hook_result, false to skip it.',
      });
    }
    for (const block of this.blocks.items) block.attn.useAttnResult = on;
  }

  /**
   * Logits `[batch, pos, dVocab]` of int32 token ids `[batch, pos]` (positions 0 … pos−1). Typed errors for
   * another dtype or rank, ids outside the vocabulary, or more than `nCtx` positions. Call it through
   * `call` (hooks on the model itself see both).
   *
   * @example
   * const logits = model.call(tf.tensor2d([[5, 17, 3]], [1, 3], 'int32'));
   */
  forward(tokens: tf.Tensor): tf.Tensor {
    checkTokens(tokens, this.config, 'HookedTransformer.call(tokens)');
    return tf.tidy(() => this.#fromParts(this.embed.call(tokens), this.posEmbed.call(tokens)));
  }

  /**
   * Logits from token embeddings `[batch, pos, dModel]`: what `hook_embed` outputs (`W_E[tokens]`). The
   * position embedding is added inside (positions 0 … pos−1) and every hook point from `hook_pos_embed` on
   * fires; `embed` and `hook_embed` do not run. For attribution through the embedding (integrated
   * gradients, gradient × input).
   *
   * @example
   * const grad = tf.grad((e: tf.Tensor) => tf.sum(model.forwardFromEmbeddings(e)))(embeddings);
   */
  forwardFromEmbeddings(embed: tf.Tensor): tf.Tensor {
    checkEmbeddings(embed, this.config, 'HookedTransformer.forwardFromEmbeddings(embed)');
    return tf.tidy(() => this.#fromHooked(embed, this.hookPosEmbed.call(this.posEmbed.call(embed))));
  }

  /**
   * Logits from the two embedding outputs before their hook points: `tokenEmbed` as `embed` returns it and
   * `posEmbed` as `pos_embed` returns it, both `[batch, pos, dModel]`. `hook_embed`, `hook_pos_embed` and
   * everything downstream fire, so gradients w.r.t. these two inputs reach every hook point
   * ({@link HookedTransformer.runWithCache} takes its backward pass this way).
   *
   * @example
   * const [gE, gP] = tf.grads((e, p) => tf.sum(model.forwardFromParts(e, p)))([tokenEmbed, posEmbed]);
   */
  forwardFromParts(tokenEmbed: tf.Tensor, posEmbed: tf.Tensor): tf.Tensor {
    const where = 'HookedTransformer.forwardFromParts';
    checkEmbeddings(tokenEmbed, this.config, where, 'tokenEmbed');
    checkEmbeddings(posEmbed, this.config, where, 'posEmbed');
    if (!tokenEmbed.shape.every((size, axis) => size === posEmbed.shape[axis])) {
      throw new ShapeMismatchError({
        what: `tokenEmbed ${describeStructure(tokenEmbed)} and posEmbed ${describeStructure(posEmbed)} differ in shape`,
        where,
        fix: 'Pass both for the same tokens: embed.call(tokens) and pos_embed.call(tokens).',
      });
    }
    return tf.tidy(() => this.#fromParts(tokenEmbed, posEmbed));
  }

  /**
   * The forward pass of generation with a key/value cache: logits of the new tokens only, given the keys and
   * values of the earlier positions. `tokens` `[batch, new]` take positions `past.length … past.length +
   * new − 1`; the returned cache holds every position so far (past then new). Every hook point fires, on
   * the new positions only: `hook_q/k/v`, `hook_z`, residuals, … are `[batch, new, …]`, and
   * `hook_attn_scores` / `hook_pattern` are `[batch, head, new, past.length + new]`. The cache stores keys
   * and values as `hook_k` / `hook_v` output them, so a replacement there persists for later tokens. Without
   * `past`, the same as {@link HookedTransformer.call} plus a cache. The logits equal those of `call` on the
   * whole sequence at the same positions. Both results are the caller's; `past` stays the caller's.
   *
   * @example
   * const prompt = model.forwardWithCache(tf.tensor2d([[5, 17, 3]], [1, 3], 'int32'));
   * const step = model.forwardWithCache(tf.tensor2d([[42]], [1, 1], 'int32'), prompt.cache);
   * prompt.cache.dispose(); // step.cache holds all 4 positions
   */
  forwardWithCache(tokens: tf.Tensor, past?: KeyValueCache): ForwardWithCacheResult {
    const where = 'HookedTransformer.forwardWithCache(tokens, past)';
    const start = past === undefined ? 0 : this.#checkCache(past, tokens, where);
    checkTokens(tokens, this.config, where, start);
    const pastLayers = past?.layers;
    const { logits, keys, values } = tf.tidy(() => {
      const slots = this.blocks.items.map((_, layer) => new KeyValueSlot(pastLayers?.[layer]));
      const result = this.#fromParts(this.embed.call(tokens), this.posEmbed.call(tokens, start), slots);
      return {
        logits: result,
        keys: slots.map((slot) => slot.present?.key as tf.Tensor),
        values: slots.map((slot) => slot.present?.value as tf.Tensor),
      };
    });
    const cache = new KeyValueCache(keys.map((key, layer) => ({ key, value: values[layer] as tf.Tensor })));
    return { logits: logits as tf.Tensor3D, cache };
  }

  #checkCache(past: unknown, tokens: unknown, where: string): number {
    if (!(past instanceof KeyValueCache)) {
      throw new InvalidValueError({
        what: `past must be a KeyValueCache, got ${describeStructure(past)}`,
        where,
        fix: 'Pass the cache an earlier forwardWithCache call returned, or nothing for the first call.',
      });
    }
    const { layers } = past; // throws DisposedError if disposed
    const { nLayers, nHeads, dHead } = this.config;
    const batch = (tokens as { shape?: readonly number[] }).shape?.[0];
    const length = past.length;
    const fits =
      layers.length === nLayers &&
      layers.every(({ key, value }) =>
        [key, value].every(
          (tensor) =>
            !tensor.isDisposed &&
            tensor.rank === 4 &&
            tensor.shape[0] === batch &&
            tensor.shape[1] === length &&
            tensor.shape[2] === nHeads &&
            tensor.shape[3] === dHead,
        ),
      );
    if (!fits) {
      throw new ShapeMismatchError({
        what: `The cache (${layers.length} layers, batch ${past.batchSize}, ${length} positions) does not fit this model (${nLayers} layers, ${nHeads} heads of ${dHead}) and tokens of batch ${String(batch)}`,
        where,
        fix: 'Pass the cache this model returned for the same batch of sequences.',
      });
    }
    return length;
  }

  #fromParts(tokenEmbed: tf.Tensor, posEmbed: tf.Tensor, slots?: readonly KeyValueSlot[]): tf.Tensor {
    return this.#fromHooked(this.hookEmbed.call(tokenEmbed), this.hookPosEmbed.call(posEmbed), slots);
  }

  #fromHooked(embed: tf.Tensor, posEmbed: tf.Tensor, slots?: readonly KeyValueSlot[]): tf.Tensor {
    let resid = tf.add(embed, posEmbed);
    this.blocks.items.forEach((block, layer) => {
      const slot = slots?.[layer];
      // One tidy per block: its intermediates are freed as soon as it is done (the gradient tape keeps its
      // own copies of what backpropagation needs), so the peak is one block's, not the whole pass's.
      const [output, key, value] = tf.tidy(() => {
        const out = block.call(resid, slot);
        return slot?.present === undefined ? [out] : [out, slot.present.key, slot.present.value];
      });
      if (slot !== undefined && key !== undefined && value !== undefined) slot.present = { key, value };
      resid = output;
    });
    return this.unembed.call(this.lnFinal.call(resid));
  }

  /**
   * Runs the model on `tokens` and caches the selected hook points' values (and, with `backward`, their
   * gradients of the metric) in a TensorDict keyed by hook name. See {@link runWithCache}.
   *
   * @example
   * const { logits, cache } = model.runWithCache(tokens, { names: /attn\.hook_pattern$/ });
   * cache.getTensor('blocks.0.attn.hook_pattern'); // [batch, head, pos, pos]
   * logits.dispose();
   * cache.dispose();
   */
  runWithCache(tokens: tf.Tensor, options: RunWithCacheOptions): RunWithCacheResult {
    return runWithCache(this, tokens, options);
  }
}
