import * as tf from '@tensorflow/tfjs-core';

/** FNV-1a of a string, as a positive 31-bit integer: one reproducible seed per parameter. */
function hashSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 0x7fffffff;
}

/**
 * A parameter's initial value under GPT-2's initialisation (Hugging Face `GPT2PreTrainedModel._init_weights`):
 * matrices and embeddings drawn from N(0, 0.02²), the residual projections (`attn.c_proj.weight`,
 * `mlp.c_proj.weight`) from N(0, (0.02/√(2·nLayers))²), biases 0, LayerNorm weights 1. Each parameter draws
 * from its own seed, derived from `seed` and its path, so the values do not depend on construction order.
 */
export function gpt2InitialValue(
  parameterPath: string,
  shape: readonly number[],
  seed: number,
  nLayers: number,
): tf.Tensor {
  const name = parameterPath.split('.').at(-1);
  const isLayerNorm = /(^|\.)(ln1|ln2|ln_final)\.[^.]+$/.test(parameterPath);
  if (isLayerNorm) return name === 'weight' ? tf.ones([...shape]) : tf.zeros([...shape]);
  if (name === 'bias') return tf.zeros([...shape]);
  const std = /\.c_proj\.weight$/.test(parameterPath) ? 0.02 / Math.sqrt(2 * nLayers) : 0.02;
  return tf.randomNormal([...shape], 0, std, 'float32', hashSeed(`${seed}/${parameterPath}`));
}
