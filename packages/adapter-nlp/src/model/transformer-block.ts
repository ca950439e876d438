import type * as tf from '@tensorflow/tfjs-core';

import { Module } from '@tdhook/core';

import { Attention } from './attention.js';
import type { ResolvedTransformerConfig } from './config.js';
import { HookPoint } from './hook-point.js';
import type { KeyValueSlot } from './key-value-slot.js';
import { LayerNorm } from './layer-norm.js';
import { Mlp } from './mlp.js';
import { childSource, type ParameterSource } from './parameter-source.js';
import { ResidualAdd } from './residual-add.js';

/**
 * One pre-LayerNorm GPT-2 block, with TransformerLens's hook points in forward order: `hook_resid_pre`,
 * `ln1`, `attn`, `hook_attn_out`, `hook_resid_mid`, `ln2`, `mlp`, `hook_mlp_out`, `hook_resid_post`. The
 * residual additions are the child modules `resid_add_attn` and `resid_add_mlp` (LRP merges).
 *
 * An attention-only block (`config.attnOnly`) has no `ln2`, `mlp`, `hook_mlp_out`, `resid_add_mlp` and, as
 * in TransformerLens, no `hook_resid_mid`: `hook_resid_post` = `hook_resid_pre` + `hook_attn_out`.
 *
 * @example
 * const block = new TransformerBlock(config, source);
 * const residPost = block.call(residPre);
 */
export class TransformerBlock extends Module<[tf.Tensor, KeyValueSlot?]> {
  readonly hookResidPre: HookPoint;
  readonly ln1: LayerNorm;
  readonly attn: Attention;
  readonly hookAttnOut: HookPoint;
  readonly residAddAttn: ResidualAdd;
  readonly hookResidMid: HookPoint | undefined;
  readonly ln2: LayerNorm | undefined;
  readonly mlp: Mlp | undefined;
  readonly hookMlpOut: HookPoint | undefined;
  readonly residAddMlp: ResidualAdd | undefined;
  readonly hookResidPost: HookPoint;

  constructor(config: ResolvedTransformerConfig, source: ParameterSource) {
    super();
    const { dModel, layerNormEps, attnOnly } = config;
    this.hookResidPre = this.registerModule('hook_resid_pre', new HookPoint());
    this.ln1 = this.registerModule('ln1', new LayerNorm(dModel, layerNormEps, childSource(source, 'ln1')));
    this.attn = this.registerModule('attn', new Attention(config, childSource(source, 'attn')));
    this.hookAttnOut = this.registerModule('hook_attn_out', new HookPoint());
    this.residAddAttn = this.registerModule('resid_add_attn', new ResidualAdd());
    if (attnOnly) {
      this.hookResidMid = undefined;
      this.ln2 = undefined;
      this.mlp = undefined;
      this.hookMlpOut = undefined;
      this.residAddMlp = undefined;
    } else {
      this.hookResidMid = this.registerModule('hook_resid_mid', new HookPoint());
      this.ln2 = this.registerModule('ln2', new LayerNorm(dModel, layerNormEps, childSource(source, 'ln2')));
      this.mlp = this.registerModule('mlp', new Mlp(config, childSource(source, 'mlp')));
      this.hookMlpOut = this.registerModule('hook_mlp_out', new HookPoint());
      this.residAddMlp = this.registerModule('resid_add_mlp', new ResidualAdd());
    }
    this.hookResidPost = this.registerModule('hook_resid_post', new HookPoint());
  }

  forward(resid: tf.Tensor, slot?: KeyValueSlot): tf.Tensor {
    const residPre = this.hookResidPre.call(resid);
    const attnOut = this.hookAttnOut.call(this.attn.call(this.ln1.call(residPre), slot));
    const afterAttn = this.residAddAttn.call(residPre, attnOut);
    if (
      this.hookResidMid === undefined ||
      this.ln2 === undefined ||
      this.mlp === undefined ||
      this.hookMlpOut === undefined ||
      this.residAddMlp === undefined
    ) {
      return this.hookResidPost.call(afterAttn);
    }
    const residMid = this.hookResidMid.call(afterAttn);
    const mlpOut = this.hookMlpOut.call(this.mlp.call(this.ln2.call(residMid)));
    return this.hookResidPost.call(this.residAddMlp.call(residMid, mlpOut));
  }
}
