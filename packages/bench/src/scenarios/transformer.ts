// A small pre-norm transformer encoder as a tdhook Module, for the activation-caching scenario. The math lives
// in plain functions over tensors, shared by the modules and by the hand-written forward of the baseline, so
// that both variants compute the same numbers with the same ops.
import * as tf from '@tensorflow/tfjs-core';
import { Module, ModuleList } from '@tdhook/core';

/**
 * The size of a {@link Transformer}. Defaults: vocabulary 1000, width 64, 4 heads, MLP 4× wide, up to 32
 * tokens, seed 1 (weights are drawn from seeded normals, so every build is the same model).
 *
 * @example
 * const config: TransformerConfig = { blocks: 8, width: 64, heads: 4 };
 */
export interface TransformerConfig {
  readonly blocks: number;
  readonly vocabulary?: number;
  readonly width?: number;
  readonly heads?: number;
  /** The longest input sequence (the learned position table's length). */
  readonly maxLength?: number;
  readonly seed?: number;
}

// Consecutive seeds: each parameter gets its own, in construction order.
class Seeds {
  #next: number;
  constructor(first: number) {
    this.#next = first;
  }
  next(): number {
    return this.#next++;
  }
}

const normal = (shape: number[], std: number, seed: number): tf.Tensor =>
  tf.randomNormal(shape, 0, std, 'float32', seed);

/**
 * `x · kernel + bias` over the last axis of a tensor of any rank (flattened to 2-D for the matmul).
 *
 * @example
 * const y = denseOp(x, kernel, bias); // [batch, tokens, in] → [batch, tokens, out]
 */
export function denseOp(x: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const [inputs = 0, outputs = 0] = kernel.shape;
  const flat = tf.reshape(x, [-1, inputs]);
  const product = tf.matMul(flat, kernel);
  const y = bias === undefined ? product : tf.add(product, bias);
  return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), outputs]);
}

/**
 * Layer normalisation over the last axis: `(x − mean) / sqrt(variance + 1e-5) · gamma + beta`.
 *
 * @example
 * const normalized = layerNormOp(x, gamma, beta);
 */
export function layerNormOp(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), gamma), beta);
}

/**
 * Scaled dot-product attention over `heads` heads (no mask: an encoder), from the projected queries, keys
 * and values `[batch, tokens, width]`; the heads are merged back into `[batch, tokens, width]`.
 *
 * @example
 * const mixed = attentionOp(q, k, v, 4);
 */
export function attentionOp(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, heads: number): tf.Tensor {
  const [batch = 0, tokens = 0, width = 0] = q.shape;
  const size = width / heads;
  const split = (t: tf.Tensor): tf.Tensor4D =>
    tf.transpose(tf.reshape(t, [batch, tokens, heads, size]), [0, 2, 1, 3]);
  const scores = tf.mul(tf.matMul(split(q), split(k), false, true), 1 / Math.sqrt(size));
  const mixed = tf.matMul(tf.softmax(scores), split(v));
  return tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [batch, tokens, width]);
}

/**
 * A dense layer (`kernel`, `bias`), optionally followed by a ReLU; He-scaled seeded weights.
 *
 * @example
 * const fc = new Dense(64, 256, 7, 'relu');
 * const y = fc.call(x);
 */
export class Dense extends Module {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  readonly activation: 'linear' | 'relu';

  constructor(inputs: number, outputs: number, seed: number, activation: 'linear' | 'relu' = 'linear') {
    super();
    this.activation = activation;
    this.kernel = this.registerParameter('kernel', normal([inputs, outputs], Math.sqrt(2 / inputs), seed));
    this.bias = this.registerParameter('bias', normal([outputs], 0.1, seed + 100_000));
  }

  /** The affine part with other parameters: what LRP rules use (this makes it an `LrpLinearModule`). */
  forwardWith(x: tf.Tensor, params: { readonly kernel: tf.Tensor; readonly bias?: tf.Tensor }): tf.Tensor {
    return params.bias === undefined ? denseOp(x, params.kernel) : denseOp(x, params.kernel, params.bias);
  }

  forward(x: tf.Tensor): tf.Tensor {
    const y = denseOp(x, this.kernel, this.bias);
    return this.activation === 'relu' ? tf.relu(y) : y;
  }
}

class LayerNorm extends Module {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;

  constructor(width: number) {
    super();
    this.gamma = this.registerParameter('gamma', tf.ones([width]));
    this.beta = this.registerParameter('beta', tf.zeros([width]));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return layerNormOp(x, this.gamma, this.beta);
  }
}

class Embedding extends Module<[tf.Tensor2D]> {
  readonly table: tf.Variable;
  readonly positions: tf.Variable;

  constructor(vocabulary: number, width: number, maxLength: number, seeds: Seeds) {
    super();
    this.table = this.registerParameter('table', normal([vocabulary, width], 1, seeds.next()));
    this.positions = this.registerParameter('positions', normal([maxLength, width], 0.1, seeds.next()));
  }

  forward(ids: tf.Tensor2D): tf.Tensor {
    return embedOp(ids, this.table, this.positions);
  }
}

function embedOp(ids: tf.Tensor2D, table: tf.Tensor, positions: tf.Tensor): tf.Tensor {
  const tokens = ids.shape[1];
  const width = table.shape[1] ?? 0;
  return tf.add(tf.gather(table, ids), tf.slice(positions, [0, 0], [tokens, width]));
}

class SelfAttention extends Module {
  readonly q: Dense;
  readonly k: Dense;
  readonly v: Dense;
  readonly o: Dense;
  readonly heads: number;

  constructor(width: number, heads: number, seeds: Seeds) {
    super();
    this.heads = heads;
    this.q = this.registerModule('q', new Dense(width, width, seeds.next()));
    this.k = this.registerModule('k', new Dense(width, width, seeds.next()));
    this.v = this.registerModule('v', new Dense(width, width, seeds.next()));
    this.o = this.registerModule('o', new Dense(width, width, seeds.next()));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.o.call(attentionOp(this.q.call(x), this.k.call(x), this.v.call(x), this.heads));
  }
}

class Mlp extends Module {
  readonly fc1: Dense;
  readonly fc2: Dense;

  constructor(width: number, seeds: Seeds) {
    super();
    this.fc1 = this.registerModule('fc1', new Dense(width, 4 * width, seeds.next(), 'relu'));
    this.fc2 = this.registerModule('fc2', new Dense(4 * width, width, seeds.next()));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.fc2.call(this.fc1.call(x));
  }
}

/**
 * One pre-norm block: `x + attn(ln1(x))`, then `+ mlp(ln2(·))`. Children `ln1`, `attn` (`q`, `k`, `v`, `o`),
 * `ln2`, `mlp` (`fc1`, `fc2`).
 *
 * @example
 * const block = new TransformerBlock(64, 4, 1);
 * const y = block.call(x); // [batch, tokens, 64]
 */
export class TransformerBlock extends Module {
  readonly ln1: LayerNorm;
  readonly attn: SelfAttention;
  readonly ln2: LayerNorm;
  readonly mlp: Mlp;

  constructor(width: number, heads: number, seed: number) {
    super();
    const seeds = new Seeds(seed);
    this.ln1 = this.registerModule('ln1', new LayerNorm(width));
    this.attn = this.registerModule('attn', new SelfAttention(width, heads, seeds));
    this.ln2 = this.registerModule('ln2', new LayerNorm(width));
    this.mlp = this.registerModule('mlp', new Mlp(width, seeds));
  }

  forward(x: tf.Tensor): tf.Tensor {
    const mixed = tf.add(x, this.attn.call(this.ln1.call(x)));
    return tf.add(mixed, this.mlp.call(this.ln2.call(mixed)));
  }
}

/**
 * A small transformer encoder: token and position embedding (`tf.gather` on the table), `blocks[i]` (a
 * {@link ModuleList}, so paths such as `'blocks[3]'` and `'blocks[-1].mlp.fc1'` work), and a final layer norm
 * `norm`. Takes int32 token ids `[batch, tokens]`, returns `[batch, tokens, width]`.
 *
 * @example
 * const model = buildTransformer({ blocks: 4 });
 * const hidden = model.call(tokenIds(8, 32, 1000));
 */
export class Transformer extends Module<[tf.Tensor2D]> {
  readonly embedding: Embedding;
  readonly blocks: ModuleList<TransformerBlock>;
  readonly norm: LayerNorm;
  readonly config: Required<TransformerConfig>;

  constructor(config: TransformerConfig) {
    super();
    this.config = { vocabulary: 1000, width: 64, heads: 4, maxLength: 32, seed: 1, ...config };
    const { blocks, vocabulary, width, heads, maxLength, seed } = this.config;
    // Block i draws seeds from seed + 100·(i + 1): blocks never share weights, whatever their count.
    const seeds = new Seeds(seed);
    this.embedding = this.registerModule('embedding', new Embedding(vocabulary, width, maxLength, seeds));
    const list = Array.from(
      { length: blocks },
      (_, index) => new TransformerBlock(width, heads, seed + 100 * (index + 1)),
    );
    this.blocks = this.registerModule('blocks', new ModuleList(list));
    this.norm = this.registerModule('norm', new LayerNorm(width));
  }

  forward(ids: tf.Tensor2D): tf.Tensor {
    let hidden = this.embedding.call(ids);
    for (const block of this.blocks.items) hidden = block.call(hidden);
    return this.norm.call(hidden);
  }
}

/**
 * Builds a {@link Transformer} with seeded weights (the same model on every call with the same config).
 * The caller disposes it.
 *
 * @example
 * const model = buildTransformer({ blocks: 8 });
 * model.dispose();
 */
export function buildTransformer(config: TransformerConfig): Transformer {
  return new Transformer(config);
}

/**
 * Deterministic int32 token ids `[batch, tokens]` below `vocabulary`. The caller disposes them.
 *
 * @example
 * const ids = tokenIds(8, 32, 1000);
 */
export function tokenIds(batch: number, tokens: number, vocabulary: number): tf.Tensor2D {
  const values = Int32Array.from({ length: batch * tokens }, (_, i) => (i * 7919 + 13) % vocabulary);
  return tf.tensor2d(values, [batch, tokens], 'int32');
}

function plainBlock(block: TransformerBlock, x: tf.Tensor): tf.Tensor {
  const { ln1, attn, ln2, mlp } = block;
  const h = layerNormOp(x, ln1.gamma, ln1.beta);
  const attended = attentionOp(
    denseOp(h, attn.q.kernel, attn.q.bias),
    denseOp(h, attn.k.kernel, attn.k.bias),
    denseOp(h, attn.v.kernel, attn.v.bias),
    attn.heads,
  );
  const mixed = tf.add(x, denseOp(attended, attn.o.kernel, attn.o.bias));
  const inner = tf.relu(denseOp(layerNormOp(mixed, ln2.gamma, ln2.beta), mlp.fc1.kernel, mlp.fc1.bias));
  return tf.add(mixed, denseOp(inner, mlp.fc2.kernel, mlp.fc2.bias));
}

/**
 * The same forward as `model.call(ids)` written by hand with TF.js ops on the model's weights (no modules,
 * no hooks), returning every block's output and the final output. Run it inside `tf.tidy`.
 *
 * @example
 * const [output, ...blocks] = tf.tidy(() => {
 *   const result = plainTransformerForward(model, ids);
 *   return [result.output, ...result.blocks];
 * });
 */
export function plainTransformerForward(
  model: Transformer,
  ids: tf.Tensor2D,
): { blocks: tf.Tensor[]; output: tf.Tensor } {
  const { embedding, norm } = model;
  let hidden = embedOp(ids, embedding.table, embedding.positions);
  const blocks: tf.Tensor[] = [];
  for (const block of model.blocks.items) {
    hidden = plainBlock(block, hidden);
    blocks.push(hidden);
  }
  return { blocks, output: layerNormOp(hidden, norm.gamma, norm.beta) };
}
