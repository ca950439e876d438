// The one place that maps this model's parameter paths to Hugging Face GPT-2 names and back.

const toHf: readonly (readonly [RegExp, string])[] = [
  [/^embed\.W_E$/, 'wte.weight'],
  [/^pos_embed\.W_pos$/, 'wpe.weight'],
  [/^blocks\.(\d+)\.ln1\.(weight|bias)$/, 'h.$1.ln_1.$2'],
  [/^blocks\.(\d+)\.ln2\.(weight|bias)$/, 'h.$1.ln_2.$2'],
  [/^blocks\.(\d+)\.attn\.(c_attn|c_proj)\.(weight|bias)$/, 'h.$1.attn.$2.$3'],
  [/^blocks\.(\d+)\.mlp\.(c_fc|c_proj)\.(weight|bias)$/, 'h.$1.mlp.$2.$3'],
  [/^ln_final\.(weight|bias)$/, 'ln_f.$1'],
];

/**
 * The Hugging Face GPT-2 name (without `transformer.`) of a parameter of {@link HookedTransformer}, given by
 * its module path and parameter name: `blocks.0.attn.c_attn.weight` → `h.0.attn.c_attn.weight`.
 *
 * @example
 * gpt2NameOf('embed.W_E'); // 'wte.weight'
 */
export function gpt2NameOf(parameterPath: string): string {
  for (const [pattern, replacement] of toHf) {
    if (pattern.test(parameterPath)) return parameterPath.replace(pattern, replacement);
  }
  throw new Error(`No GPT-2 name for the parameter '${parameterPath}'`);
}
