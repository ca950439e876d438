// An independent statement of RelP's modified gradient for a GPT-2-style transformer, written from the
// paper's rules, not from @tdhook/attribution: a hand-written TF.js forward pass of the same weights in
// which LayerNorm's standard deviation and the attention pattern are constants (their gradient stopped)
// and GELU is `x · const(f(x)/x)` (the identity rule). Its plain gradient *is* the modified gradient, so
// `Σ (a_clean − a_corrupted) · g` from it is what RelP must give.
import * as tf from '@tensorflow/tfjs-core';
import type { HookedTransformer } from '@tdhook/adapter-nlp';

/** The value, with no gradient flowing back through it. */
const constant: (x: tf.Tensor) => tf.Tensor = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(args[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const centered = tf.sub(x, tf.mean(x, -1, true));
  const std = tf.sqrt(tf.add(tf.mean(tf.square(centered), -1, true), epsilon));
  return tf.add(tf.mul(tf.div(centered, constant(std)), gamma), beta);
}

function geluNew(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

const linear = (x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor =>
  tf.add(tf.matMul(tf.reshape(x, [-1, kernel.shape[0]]), kernel), bias);

/** The activations the tests estimate at, by hook name, and the logits. */
export interface ModifiedForward {
  readonly logits: tf.Tensor;
  readonly activations: Map<string, tf.Tensor>;
}

/**
 * The forward pass; `probes` (zeros, by hook name: `blocks.{l}.hook_resid_pre`, `blocks.{l}.attn.hook_z`)
 * are added where the hook points sit, so that the gradient with respect to a probe is the gradient at
 * that activation.
 */
export function modifiedForward(
  model: HookedTransformer,
  tokens: tf.Tensor2D,
  probes: ReadonlyMap<string, tf.Tensor> = new Map(),
): ModifiedForward {
  const { nHeads, dHead, layerNormEps: eps } = model.config;
  const [batch, length] = tokens.shape;
  const inner = nHeads * dHead;
  const activations = new Map<string, tf.Tensor>();
  const probe = (name: string, value: tf.Tensor): tf.Tensor => {
    const added = probes.has(name) ? tf.add(value, probes.get(name) as tf.Tensor) : value;
    activations.set(name, added);
    return added;
  };
  const oneHot = tf.cast(tf.oneHot(tokens, model.config.dVocab), 'float32');
  let x = tf.add(
    tf.reshape(tf.matMul(tf.reshape(oneHot, [batch * length, -1]), model.embed.weight), [batch, length, -1]),
    tf.slice(model.posEmbed.weight, [0, 0], [length, -1]),
  );
  const mask = tf.lessEqual(tf.expandDims(tf.range(0, length), 0), tf.expandDims(tf.range(0, length), 1));
  model.blocks.items.forEach((block, layer) => {
    const residPre = probe(`blocks.${layer}.hook_resid_pre`, x);
    const h = layerNorm(residPre, block.ln1.gamma, block.ln1.beta, eps);
    const qkv = linear(h, block.attn.cAttn.kernel, block.attn.cAttn.bias);
    const heads = (part: number): tf.Tensor =>
      tf.transpose(
        tf.reshape(tf.slice(qkv, [0, part * inner], [-1, inner]), [batch, length, nHeads, dHead]),
        [0, 2, 1, 3],
      );
    const scores = tf.div(tf.matMul(heads(0), heads(1), false, true), Math.sqrt(dHead));
    const masked = tf.where(tf.broadcastTo(mask, scores.shape), scores, tf.fill(scores.shape, -Infinity));
    const pattern = constant(tf.softmax(masked, -1));
    const z = probe(`blocks.${layer}.attn.hook_z`, tf.transpose(tf.matMul(pattern, heads(2)), [0, 2, 1, 3]));
    const attnOut = linear(z, block.attn.cProj.kernel, block.attn.cProj.bias);
    x = tf.add(residPre, tf.reshape(attnOut, [batch, length, -1]));
    if (block.mlp !== undefined && block.ln2 !== undefined) {
      const h2 = layerNorm(x, block.ln2.gamma, block.ln2.beta, eps);
      const pre = linear(h2, block.mlp.cFc.kernel, block.mlp.cFc.bias);
      // The identity rule: GELU as its input times the constant ratio f(x)/x, the denominator stabilised
      // as the rule states it (x + 1e-6·sign(x), sign(0) = +1).
      const sign = tf.sub(tf.mul(tf.cast(tf.greaterEqual(pre, 0), 'float32'), 2), 1);
      const post = tf.mul(pre, constant(tf.div(geluNew(pre), tf.add(pre, tf.mul(sign, 1e-6)))));
      const mlpOut = linear(post, block.mlp.cProj.kernel, block.mlp.cProj.bias);
      x = tf.add(x, tf.reshape(mlpOut, [batch, length, -1]));
    }
  });
  const final = layerNorm(x, model.lnFinal.gamma, model.lnFinal.beta, eps);
  const logits = tf.reshape(
    tf.matMul(tf.reshape(final, [batch * length, -1]), model.embed.weight, false, true),
    [batch, length, -1],
  );
  return { logits, activations };
}

/**
 * RelP by hand: `Σ (a_clean − a_corrupted) · g` per site of a head grid over hook_z (`[rows, layers,
 * heads]`) and of a layer × position grid over hook_resid_pre (`[rows, layers, positions]`), g the plain
 * gradient of the summed metric in the modified forward on the corrupted tokens.
 */
export function relpByHand(
  model: HookedTransformer,
  clean: tf.Tensor2D,
  corrupted: tf.Tensor2D,
  metric: (logits: tf.Tensor) => tf.Tensor,
): { heads: tf.Tensor; resid: tf.Tensor } {
  return tf.tidy(() => {
    const { nLayers, nHeads, dHead, dModel } = model.config;
    const [rows, length] = corrupted.shape;
    const names = Array.from({ length: nLayers }, (_, layer) => [
      `blocks.${layer}.hook_resid_pre`,
      `blocks.${layer}.attn.hook_z`,
    ]).flat();
    const zeros = names.map((name) =>
      name.endsWith('hook_z') ? tf.zeros([rows, length, nHeads, dHead]) : tf.zeros([rows, length, dModel]),
    );
    const gradients = tf.grads((...xs: tf.Tensor[]) =>
      tf.sum(
        metric(
          modifiedForward(model, corrupted, new Map(names.map((name, i) => [name, xs[i] as tf.Tensor])))
            .logits,
        ),
      ),
    )(zeros);
    const source = modifiedForward(model, clean).activations;
    const receiving = modifiedForward(model, corrupted).activations;
    const estimate = (name: string, keep: number): tf.Tensor => {
      const index = names.indexOf(name);
      const product = tf.mul(
        tf.sub(source.get(name) as tf.Tensor, receiving.get(name) as tf.Tensor),
        gradients[index] as tf.Tensor,
      );
      const axes = [1, 2, 3].slice(0, product.rank - 1).filter((axis) => axis !== keep);
      return tf.sum(product, axes);
    };
    const layers = Array.from({ length: nLayers }, (_, layer) => layer);
    return {
      heads: tf.stack(
        layers.map((layer) => estimate(`blocks.${layer}.attn.hook_z`, 2)),
        1,
      ),
      resid: tf.stack(
        layers.map((layer) => estimate(`blocks.${layer}.hook_resid_pre`, 1)),
        1,
      ),
    };
  });
}
