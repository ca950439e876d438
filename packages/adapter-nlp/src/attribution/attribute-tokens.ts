import * as tf from '@tensorflow/tfjs-core';

import { integratedGradients, lrp, saliency, type AttributionTarget } from '@tdhook/attribution';
import { TensorDict, type Key } from '@tdhook/core';

import type { HookedTransformer } from '../model/hooked-transformer.js';
import { LogitsFromEmbeddings } from './logits-from-embeddings.js';
import { TextAttributionError } from './text-attribution-error.js';
import { resolveTarget, targetValues, type ResolvedTarget, type TokenTarget } from './token-target.js';
import { transformerLrpComposite } from './transformer-lrp.js';

/**
 * The token attribution methods, all through the token embedding (the `hook_embed` output; position
 * embeddings are not part of the input, as in captum's `LayerIntegratedGradients` on `wte`):
 * - `saliency`: `|∂f/∂e|` (Simonyan et al.);
 * - `ixg`: gradient × input, `e ⊙ ∂f/∂e`;
 * - `ig`: integrated gradients from a baseline (zeros, or a pad token's embedding at every position);
 * - `lrp`: LRP for transformers, `e ⊙ g` with the modified gradient of {@link transformerLrpComposite}.
 *
 * @example
 * const method: TokenAttributionMethod = 'ig';
 */
export type TokenAttributionMethod = 'saliency' | 'ixg' | 'ig' | 'lrp';

/**
 * Every {@link TokenAttributionMethod}, in the order the CLI lists them.
 *
 * @example
 * tokenAttributionMethods.includes('lrp'); // true
 */
export const tokenAttributionMethods: readonly TokenAttributionMethod[] = Object.freeze([
  'saliency',
  'ixg',
  'ig',
  'lrp',
]);

/**
 * Options of {@link attributeTokens}.
 *
 * @example
 * const options: TokenAttributionOptions = {
 *   method: 'ig',
 *   target: { token: 51, versus: 61 },
 *   baseline: { token: 95 }, // the pad token's embedding at every position
 *   steps: 50,
 * };
 */
export interface TokenAttributionOptions {
  readonly method: TokenAttributionMethod;
  readonly target: TokenTarget;
  /** `ig`: where the path starts, `'zeros'` or a token's embedding at every position. Default `'zeros'`. */
  readonly baseline?: 'zeros' | { readonly token: number };
  /** `ig`: Gauss–Legendre points on the path (captum's default method). Default 50. */
  readonly steps?: number;
  /** `ig`: at most this many rows (steps × sequences) per model pass. Default all at once. */
  readonly chunkSize?: number;
}

/**
 * What {@link attributeTokens} gives back. `attribution` is the caller's to dispose.
 *
 * @example
 * const result = attributeTokens(model, ids, { method: 'ixg', target: { token: 51 } });
 * result.scores[0]; // one number per token of the first sequence
 * result.attribution.dispose();
 */
export interface TokenAttribution {
  readonly method: TokenAttributionMethod;
  /** `[batch][pos]`: the attribution summed over `dModel` (the per-token score views show). */
  readonly scores: number[][];
  /** `[batch, pos, dModel]`: the attribution of every embedding component. */
  readonly attribution: tf.Tensor3D;
  /** `[batch]`: the explained value `f(x)` (the target logit, or the logit difference). */
  readonly targetValues: number[];
  /** `ig`: `Σ attribution − (f(x) − f(baseline))` per sequence, the quadrature error. */
  readonly convergenceDelta?: number[];
  /**
   * `lrp`: `[batch][pos]` relevance of the position embeddings (`pos_embed ⊙ g`), the rest of the input's
   * relevance: with {@link TokenAttribution.scores} it sums to `f(x)` less what the biases absorb.
   */
  readonly positionScores?: number[][];
}

function fail(what: string, where: string, fix: string): never {
  throw new TextAttributionError({ what, where, fix });
}

function isRows(value: unknown): value is readonly (readonly number[])[] {
  return Array.isArray(value) && value.every((row) => Array.isArray(row));
}

/** Token ids as an int32 `[batch, pos]` tensor (a new one), checked against the model. */
function tokenTensor(
  model: HookedTransformer,
  tokens: tf.Tensor | readonly (readonly number[])[],
): tf.Tensor2D {
  const { dVocab, nCtx } = model.config;
  let rows: number[][];
  if (tokens instanceof tf.Tensor) {
    if (tokens.rank !== 2) {
      fail(
        `Token ids must be [batch, pos], got shape [${tokens.shape.join(', ')}]`,
        'tokens',
        'Add a batch axis: [[...ids]].',
      );
    }
    rows = tokens.arraySync() as number[][];
  } else if (isRows(tokens)) {
    rows = tokens.map((row): number[] => Array.from(row));
  } else {
    fail('Token ids must be [batch, pos] numbers', 'tokens', 'Pass e.g. [[5, 17, 3]] or an int32 tensor.');
  }
  const length = rows[0]?.length ?? 0;
  if (rows.length === 0 || length === 0)
    fail('No tokens', 'tokens', 'Pass at least one sequence with at least one token.');
  if (rows.some((row) => row.length !== length))
    fail(
      'The sequences differ in length',
      'tokens',
      'Attribute sequences of equal length together (there is no padding mask).',
    );
  if (length > nCtx)
    fail(
      `${length} tokens exceed the model's context of ${nCtx}`,
      'tokens',
      `Shorten the text to ≤ ${nCtx} tokens.`,
    );
  rows.forEach((row, b) => {
    row.forEach((id, p) => {
      if (!Number.isInteger(id) || id < 0 || id >= dVocab)
        fail(
          `Token id ${id} at [${b}, ${p}] is not in the vocabulary 0…${dVocab - 1}`,
          'tokens',
          'Encode the text with the model’s own tokenizer.',
        );
    });
  });
  return tf.tensor2d(rows, [rows.length, length], 'int32');
}

function checkOptions(options: TokenAttributionOptions, dVocab: number): void {
  if (!tokenAttributionMethods.includes(options.method)) {
    fail(
      `Unknown method ${JSON.stringify(options.method)}`,
      'options.method',
      `Use one of ${tokenAttributionMethods.join(', ')}.`,
    );
  }
  const baseline = options.baseline ?? 'zeros';
  if (baseline !== 'zeros') {
    const token = (baseline as { token?: unknown }).token;
    if (typeof token !== 'number' || !Number.isInteger(token) || token < 0 || token >= dVocab)
      fail(
        `The baseline token ${String(token)} is not in the vocabulary 0…${dVocab - 1}`,
        'options.baseline',
        "Use { token: <pad id> } or 'zeros'.",
      );
  }
  const steps = options.steps ?? 50;
  if (!Number.isInteger(steps) || steps < 1)
    fail(`steps must be a whole number ≥ 1, got ${steps}`, 'options.steps', 'Use e.g. 50.');
}

/**
 * Token attribution through the embedding of a {@link HookedTransformer}: how much each token of each
 * sequence contributed to a logit (or a logit difference) at one position, by saliency, gradient × input,
 * integrated gradients or LRP (see {@link TokenAttributionMethod}), computed with `@tdhook/attribution`'s
 * methods on the model seen as embeddings → logits. Matches captum's `LayerIntegratedGradients` on `wte`
 * and PyTorch's gradients on the gpt2-tiny reference (rtol 1e-4). The model is left as it was, also after
 * an error; no tensor is left behind but `attribution`, which the caller disposes.
 *
 * @example
 * const ids = [[88, 67, 63, 13, 29, 23, 41, 27, 11, 61, 8, 0]];
 * const result = attributeTokens(model, ids, {
 *   method: 'ig',
 *   target: { token: 51, versus: 61 },
 *   baseline: { token: 95 },
 * });
 * console.log(result.scores[0], result.convergenceDelta);
 * result.attribution.dispose();
 */
export function attributeTokens(
  model: HookedTransformer,
  tokens: tf.Tensor | readonly (readonly number[])[],
  options: TokenAttributionOptions,
): TokenAttribution {
  const { dVocab } = model.config;
  checkOptions(options, dVocab);
  const ids = tokenTensor(model, tokens);
  try {
    const [batch, length] = ids.shape;
    return run(model, ids, resolveTarget(options.target, batch, length, dVocab), options);
  } finally {
    ids.dispose();
  }
}

/**
 * The method configured for two named targets, `token` and, for a logit difference, `versus`: every
 * method here is linear in the explained function, so the difference's attribution is the difference of
 * the two (sharing one forward pass); per-sequence tokens go through the engine's per-sample selection,
 * which also holds for the rows integrated gradients adds along the path.
 */
function configure(options: TokenAttributionOptions, target: ResolvedTarget, baselines: number | tf.Tensor) {
  const targets: Record<string, AttributionTarget> = {
    token: { select: target.tokens },
    ...(target.versus === undefined ? {} : { versus: { select: target.versus } }),
  };
  switch (options.method) {
    case 'saliency':
    case 'ixg':
      // Saliency's |·| is taken after the difference.
      return saliency({ targets, multiplyByInputs: options.method === 'ixg' });
    case 'ig':
      return integratedGradients({
        targets,
        steps: options.steps ?? 50,
        method: 'gausslegendre',
        baselines,
        convergenceDelta: true,
        ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
      });
    case 'lrp':
      return lrp({ composite: transformerLrpComposite(), targets });
  }
}

function run(
  model: HookedTransformer,
  ids: tf.Tensor2D,
  target: ResolvedTarget,
  options: TokenAttributionOptions,
): TokenAttribution {
  const { method } = options;
  const wrapper = new LogitsFromEmbeddings(model, target.position);
  const baseline = options.baseline ?? 'zeros';
  const baselines =
    method === 'ig' && baseline !== 'zeros'
      ? tf.tidy(() => model.embed.call(tf.fill(ids.shape, baseline.token, 'int32')))
      : 0;
  const embed = tf.tidy(() => model.embed.call(ids));
  const data = new TensorDict({ input: embed }, { batchShape: [ids.shape[0]] });
  let prepared: { run(data: TensorDict): TensorDict; restore(): void } | undefined;
  let result: TensorDict | undefined;
  try {
    prepared = configure(options, target, baselines).prepare(wrapper);
    result = prepared.run(data);
    const done = result;
    const versus = target.versus !== undefined;
    const difference = (key: (name: string) => Key): tf.Tensor =>
      versus
        ? tf.sub(done.getTensor(key('token')), done.getTensor(key('versus')))
        : tf.clone(done.getTensor(key('token')));
    const explained = targetValues(done.getTensor('output'), target);
    const delta =
      method === 'ig'
        ? tf.tidy(() => Array.from(difference((name) => ['convergence_delta', name]).dataSync()))
        : undefined;
    const attribution = tf.tidy(() => {
      const raw = difference((name) => ['attr', name, 'input']);
      // LRP hands back the modified gradient at the embedding: relevance is the embedding times it.
      return (
        method === 'saliency' ? tf.abs(raw) : method === 'lrp' ? tf.mul(embed, raw) : raw
      ) as tf.Tensor3D;
    });
    const positionScores =
      method === 'lrp'
        ? tf.tidy(() => {
            const gradient = difference((name) => ['attr', name, 'input']);
            return tf.sum(tf.mul(model.posEmbed.call(embed), gradient), -1).arraySync() as number[][];
          })
        : undefined;
    const scores = tf.tidy(() => tf.sum(attribution, -1).arraySync() as number[][]);
    return {
      method,
      scores,
      attribution,
      targetValues: explained,
      ...(delta === undefined ? {} : { convergenceDelta: delta }),
      ...(positionScores === undefined ? {} : { positionScores }),
    };
  } finally {
    result?.dispose();
    prepared?.restore();
    data.dispose();
    if (typeof baselines !== 'number') baselines.dispose();
  }
}
