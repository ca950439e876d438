// A GPT-2 forward pass in plain tf ops over a Record of Hugging Face-named variables: the stand-in this package
// trains with until @tdhook/adapter-nlp's HookedTransformer is available, and the independent cross-check of it.
// The math is the gpt2-tiny reference's (packages/testing/reference/gpt2-tiny/README.md).
import * as tf from '@tensorflow/tfjs-core';

/**
 * The sizes of a plain GPT-2.
 *
 * @example
 * const config: PlainGpt2Config = { nLayers: 2, dModel: 32, nHeads: 2, nCtx: 16, dVocab: 64, attnOnly: true };
 */
export interface PlainGpt2Config {
  readonly nLayers: number;
  readonly dModel: number;
  readonly nHeads: number;
  readonly nCtx: number;
  readonly dVocab: number;
  readonly attnOnly: boolean;
  /** Default 4 · dModel. */
  readonly dMlp?: number;
}

/** GPT-2's initialisation (normal 0.02, residual projections 0.02/√(2·nLayers)), seeded, HF names. */
export function initPlainGpt2(config: PlainGpt2Config, seed: number): Record<string, tf.Variable> {
  const { nLayers, dModel, nCtx, dVocab, attnOnly } = config;
  const dMlp = config.dMlp ?? 4 * dModel;
  let next = seed;
  const normal = (shape: number[], std: number): tf.Tensor =>
    tf.randomNormal(shape, 0, std, 'float32', next++);
  const residualStd = 0.02 / Math.sqrt(2 * nLayers);
  const weights: Record<string, tf.Tensor> = {
    'wte.weight': normal([dVocab, dModel], 0.02),
    'wpe.weight': normal([nCtx, dModel], 0.01),
  };
  for (let i = 0; i < nLayers; i++) {
    Object.assign(weights, {
      [`h.${i}.ln_1.weight`]: tf.ones([dModel]),
      [`h.${i}.ln_1.bias`]: tf.zeros([dModel]),
      [`h.${i}.attn.c_attn.weight`]: normal([dModel, 3 * dModel], 0.02),
      [`h.${i}.attn.c_attn.bias`]: tf.zeros([3 * dModel]),
      [`h.${i}.attn.c_proj.weight`]: normal([dModel, dModel], residualStd),
      [`h.${i}.attn.c_proj.bias`]: tf.zeros([dModel]),
    });
    if (!attnOnly) {
      Object.assign(weights, {
        [`h.${i}.ln_2.weight`]: tf.ones([dModel]),
        [`h.${i}.ln_2.bias`]: tf.zeros([dModel]),
        [`h.${i}.mlp.c_fc.weight`]: normal([dModel, dMlp], 0.02),
        [`h.${i}.mlp.c_fc.bias`]: tf.zeros([dMlp]),
        [`h.${i}.mlp.c_proj.weight`]: normal([dMlp, dModel], residualStd),
        [`h.${i}.mlp.c_proj.bias`]: tf.zeros([dModel]),
      });
    }
  }
  weights['ln_f.weight'] = tf.ones([dModel]);
  weights['ln_f.bias'] = tf.zeros([dModel]);
  return Object.fromEntries(
    Object.entries(weights).map(([name, value]) => {
      const variable = tf.variable(value, true, `plain-gpt2/${seed}/${name}`);
      value.dispose();
      return [name, variable];
    }),
  );
}

function layerNorm(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), weight), bias);
}

function conv1d(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const [b, s, d] = x.shape as [number, number, number];
  const out = weight.shape[1] as number;
  return tf.add(tf.reshape(tf.matMul(tf.reshape(x, [b * s, d]), weight as tf.Tensor2D), [b, s, out]), bias);
}

function geluNew(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

/** Logits `[b, s, dVocab]` of int32 tokens `[b, s]`. The embedding is a one-hot product (wasm-differentiable). */
export function plainGpt2Logits(
  config: PlainGpt2Config,
  w: Readonly<Record<string, tf.Tensor>>,
  tokens: tf.Tensor2D,
): tf.Tensor3D {
  return tf.tidy(() => {
    const { nLayers, dModel, nHeads, dVocab, attnOnly } = config;
    const [b, s] = tokens.shape;
    const dHead = dModel / nHeads;
    const at = (name: string): tf.Tensor => w[name] as tf.Tensor;
    const oneHot = tf.cast(tf.oneHot(tf.reshape(tokens, [b * s]), dVocab), 'float32');
    let x = tf.add(
      tf.reshape(tf.matMul(oneHot, at('wte.weight') as tf.Tensor2D), [b, s, dModel]),
      tf.slice(at('wpe.weight'), [0, 0], [s, dModel]),
    );
    const causal = tf.linalg.bandPart(tf.ones([s, s]), -1, 0);
    const maskAdd = tf.mul(tf.sub(1, causal), -1e9);
    for (let i = 0; i < nLayers; i++) {
      const h = layerNorm(x, at(`h.${i}.ln_1.weight`), at(`h.${i}.ln_1.bias`));
      const qkv = conv1d(h, at(`h.${i}.attn.c_attn.weight`), at(`h.${i}.attn.c_attn.bias`));
      const [q, k, v] = tf
        .split(qkv, 3, -1)
        .map((part) => tf.transpose(tf.reshape(part, [b, s, nHeads, dHead]), [0, 2, 1, 3])) as [
        tf.Tensor4D,
        tf.Tensor4D,
        tf.Tensor4D,
      ];
      const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(dHead)), maskAdd);
      const z = tf.matMul(tf.softmax(scores), v);
      const merged = tf.reshape(tf.transpose(z, [0, 2, 1, 3]), [b, s, dModel]);
      x = tf.add(x, conv1d(merged, at(`h.${i}.attn.c_proj.weight`), at(`h.${i}.attn.c_proj.bias`)));
      if (!attnOnly) {
        const h2 = layerNorm(x, at(`h.${i}.ln_2.weight`), at(`h.${i}.ln_2.bias`));
        const hidden = geluNew(conv1d(h2, at(`h.${i}.mlp.c_fc.weight`), at(`h.${i}.mlp.c_fc.bias`)));
        x = tf.add(x, conv1d(hidden, at(`h.${i}.mlp.c_proj.weight`), at(`h.${i}.mlp.c_proj.bias`)));
      }
    }
    const final = layerNorm(x, at('ln_f.weight'), at('ln_f.bias'));
    return tf.reshape<tf.Rank.R3>(
      tf.matMul(tf.reshape(final, [b * s, dModel]), at('wte.weight'), false, true),
      [b, s, dVocab],
    );
  });
}
