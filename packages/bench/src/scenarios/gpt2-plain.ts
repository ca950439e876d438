// GPT-2's forward written by hand with TF.js ops on a weight record (Hugging Face names), returning every
// activation TransformerLens names a hook point: the baseline of the gpt2-cache scenario. Same math, same ops
// as @tdhook/adapter-nlp's HookedTransformer (Conv1D x·W + b, pre-LayerNorm with biased variance, causal
// softmax with −∞ masking, gelu_new, tied unembedding), no modules and no hooks.
import * as tf from '@tensorflow/tfjs-core';

/**
 * The shape of a GPT-2 model the hand-written forward runs: as `@tdhook/adapter-nlp`'s resolved config.
 *
 * @example
 * const shape: Gpt2Shape = { nLayers: 12, dModel: 768, nHeads: 12, dHead: 64, layerNormEps: 1e-5 };
 */
export interface Gpt2Shape {
  readonly nLayers: number;
  readonly dModel: number;
  readonly nHeads: number;
  readonly dHead: number;
  readonly layerNormEps: number;
}

/**
 * GPT-2's Conv1D: `x · weight + bias` over the last axis of a tensor of any rank.
 *
 * @example
 * const qkv = conv1d(normalized, weights['h.0.attn.c_attn.weight'], weights['h.0.attn.c_attn.bias']);
 */
export const conv1d = (x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor => {
  const [rows = 0, columns = 0] = weight.shape;
  const flat = tf.matMul(tf.reshape(x, [-1, rows]), weight);
  return tf.reshape(tf.add(flat, bias), [...x.shape.slice(0, -1), columns]);
};

/**
 * GPT-2's LayerNorm over the last axis (biased variance): the scale `sqrt(var + ε)` and the normalized output.
 *
 * @example
 * const { normalized } = layerNorm(residual, weights['ln_f.weight'], weights['ln_f.bias'], 1e-5);
 */
export function layerNorm(
  x: tf.Tensor,
  weight: tf.Tensor,
  bias: tf.Tensor,
  epsilon: number,
): { scale: tf.Tensor; normalized: tf.Tensor } {
  const { mean, variance } = tf.moments(x, -1, true);
  const scale = tf.sqrt(tf.add(variance, epsilon));
  return { scale, normalized: tf.add(tf.mul(tf.div(tf.sub(x, mean), scale), weight), bias) };
}

const geluNew = (x: tf.Tensor): tf.Tensor =>
  tf.mul(
    tf.mul(x, 0.5),
    tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))),
  );

/**
 * The hand-written forward: logits plus every hook point's value, keyed by TransformerLens name
 * (`blocks.0.attn.hook_q` …), in forward order. `weights` holds the Hugging Face tensors without the
 * `transformer.` prefix. Run it inside `tf.tidy`.
 *
 * @example
 * const { logits, activations } = plainGpt2Forward(weights, shape, ids);
 */
export function plainGpt2Forward(
  weights: Readonly<Record<string, tf.Tensor>>,
  shape: Gpt2Shape,
  ids: tf.Tensor2D,
): { logits: tf.Tensor; activations: Map<string, tf.Tensor> } {
  const w = (name: string): tf.Tensor => {
    const tensor = weights[name];
    if (tensor === undefined) throw new Error(`no weight ${name}`);
    return tensor;
  };
  const { nLayers, dModel, nHeads, dHead, layerNormEps } = shape;
  const [batch, positions] = ids.shape;
  const inner = nHeads * dHead;
  const activations = new Map<string, tf.Tensor>();
  const keep = (name: string, value: tf.Tensor): tf.Tensor => {
    activations.set(name, value);
    return value;
  };
  const embed = keep('hook_embed', tf.gather(w('wte.weight'), ids));
  const pos = keep(
    'hook_pos_embed',
    tf.broadcastTo(tf.slice(w('wpe.weight'), [0, 0], [positions, dModel]), [batch, positions, dModel]),
  );
  // Key j is visible from query i when j ≤ i (a bool bandPart would need wasm's Tile on bool, which crashes).
  const causal = tf.lessEqual(
    tf.expandDims(tf.range(0, positions, 1, 'int32'), 0),
    tf.expandDims(tf.range(0, positions, 1, 'int32'), 1),
  );
  let residual = tf.add(embed, pos);
  for (let layer = 0; layer < nLayers; layer++) {
    const name = (hook: string): string => `blocks.${String(layer)}.${hook}`;
    const p = (param: string): tf.Tensor => w(`h.${String(layer)}.${param}`);
    residual = keep(name('hook_resid_pre'), residual);
    const ln1 = layerNorm(residual, p('ln_1.weight'), p('ln_1.bias'), layerNormEps);
    keep(name('ln1.hook_scale'), ln1.scale);
    keep(name('ln1.hook_normalized'), ln1.normalized);
    const qkv = conv1d(ln1.normalized, p('attn.c_attn.weight'), p('attn.c_attn.bias'));
    const [q, k, v] = tf
      .split(qkv, [inner, inner, inner], -1)
      .map((part, index) =>
        keep(name(`attn.hook_${'qkv'[index] ?? ''}`), tf.reshape(part, [batch, positions, nHeads, dHead])),
      ) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const heads = (t: tf.Tensor): tf.Tensor4D => tf.transpose(t as tf.Tensor4D, [0, 2, 1, 3]);
    const raw = tf.mul(tf.matMul(heads(q), heads(k), false, true), 1 / Math.sqrt(dHead));
    const scores = keep(
      name('attn.hook_attn_scores'),
      tf.where(tf.broadcastTo(causal, raw.shape), raw, tf.fill(raw.shape, -Infinity)),
    );
    const pattern = keep(name('attn.hook_pattern'), tf.softmax(scores));
    const z = keep(name('attn.hook_z'), tf.transpose(tf.matMul(pattern, heads(v)), [0, 2, 1, 3]));
    const attnOut = keep(
      name('hook_attn_out'),
      conv1d(tf.reshape(z, [batch, positions, inner]), p('attn.c_proj.weight'), p('attn.c_proj.bias')),
    );
    residual = keep(name('hook_resid_mid'), tf.add(residual, attnOut));
    const ln2 = layerNorm(residual, p('ln_2.weight'), p('ln_2.bias'), layerNormEps);
    keep(name('ln2.hook_scale'), ln2.scale);
    keep(name('ln2.hook_normalized'), ln2.normalized);
    const pre = keep(name('mlp.hook_pre'), conv1d(ln2.normalized, p('mlp.c_fc.weight'), p('mlp.c_fc.bias')));
    const post = keep(name('mlp.hook_post'), geluNew(pre));
    const mlpOut = keep(name('hook_mlp_out'), conv1d(post, p('mlp.c_proj.weight'), p('mlp.c_proj.bias')));
    residual = keep(name('hook_resid_post'), tf.add(residual, mlpOut));
  }
  const final = layerNorm(residual, w('ln_f.weight'), w('ln_f.bias'), layerNormEps);
  keep('ln_final.hook_scale', final.scale);
  keep('ln_final.hook_normalized', final.normalized);
  const flat = tf.reshape<tf.Rank.R2>(final.normalized, [-1, dModel]);
  const logits = tf.reshape(tf.matMul(flat, w('wte.weight') as tf.Tensor2D, false, true), [
    batch,
    positions,
    -1,
  ]);
  return { logits, activations };
}
