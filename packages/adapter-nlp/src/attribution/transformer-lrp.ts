import { defineLrpComposite, lrpRule, type LrpComposite, type LrpModuleInfo } from '@tdhook/attribution';

/**
 * Whether an LRP module is a transformer's fused Q‖K‖V projection: a module named `c_attn` inside an
 * `attn` module (GPT-2's and this package's layout). The `where` test of {@link transformerLrpComposite};
 * pass it to `describe({ callbackIds: new Map([[isFusedQkvProjection, 'fused-qkv']]) })` to describe the
 * composite.
 *
 * @example
 * isFusedQkvProjection({ path: 'model.blocks[0].attn.c_attn' } as LrpModuleInfo); // true
 */
export function isFusedQkvProjection({ path }: LrpModuleInfo): boolean {
  return /(^|\.)attn\.c_attn$/.test(path);
}

/**
 * LRP for GPT-2-style transformers as RelP (Jafari et al. 2025) and AttnLRP's gradient form (Achtibat et
 * al. 2024, LXT) compute it: relevance is the input times a *modified gradient*, where the modifications
 * make the network linear in its input for the given forward pass —
 * - LayerNorm (`layerNorm()`): the gradient with the standard deviation held constant;
 * - GELU (`pseudoIdentity()`): `f(x)/x`, the identity rule;
 * - attention (`attentionValue()` on the fused `c_attn`): through the values only, the attention pattern
 *   held constant (the AH rule);
 * - every other module — the Conv1D linears, the residual additions, the tied unembedding — the plain
 *   gradient, which in this form *is* the ε-rule with ε → 0 (and the norm rule for the sums); a bias takes
 *   its share `b·∂f/∂z` out of the total.
 *
 * With these, `Σ embedding ⊙ g + Σ position-embedding ⊙ g = f(x) − (what the biases absorb)`: exact for a
 * model without biases (see the conservation test and docs/text-attribution.md). `attributeTokens(…,
 * { method: 'lrp' })` uses this composite and does the multiplication by the embedding.
 *
 * @example
 * const composite = transformerLrpComposite();
 * using prepared = lrp({ composite, target: { select } }).prepare(wrapper); // wrapper: embeddings → logits
 */
export function transformerLrpComposite(): LrpComposite {
  return defineLrpComposite({
    name: 'tdhook/transformer-relp',
    entries: [
      { match: { kinds: ['layer-norm'] }, rule: lrpRule.layerNorm() },
      { match: { where: isFusedQkvProjection }, rule: lrpRule.attentionValue() },
      { match: { kinds: ['activation'] }, rule: lrpRule.pseudoIdentity() },
      // Everything else passes its plain gradient, on purpose and without a warning.
      { match: {}, rule: lrpRule.ignore() },
    ],
  });
}
