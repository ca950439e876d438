import type * as tf from '@tensorflow/tfjs-core';

import { Module, type Lambda } from '@tdhook/core';

import { activationModule } from './activations.js';
import type { ResolvedTransformerConfig } from './config.js';
import { Conv1D } from './conv1d.js';
import { HookPoint } from './hook-point.js';
import { childSource, type ParameterSource } from './parameter-source.js';

/**
 * GPT-2's MLP: `c_fc` (Conv1D `[dModel, dMlp]`), `hook_pre`, the activation (`act`, a `Lambda` labelled
 * `gelu` or `relu`), `hook_post`, `c_proj` (Conv1D `[dMlp, dModel]`). Hook points `[batch, pos, dMlp]`.
 *
 * @example
 * const mlp = new Mlp(config, source);
 * mlp.call(ln2Output); // [batch, pos, dModel]
 */
export class Mlp extends Module {
  readonly cFc: Conv1D;
  readonly hookPre: HookPoint;
  readonly act: Lambda;
  readonly hookPost: HookPoint;
  readonly cProj: Conv1D;

  constructor(config: ResolvedTransformerConfig, source: ParameterSource) {
    super();
    const { dModel, dMlp, actFn } = config;
    this.cFc = this.registerModule('c_fc', new Conv1D(dModel, dMlp, childSource(source, 'c_fc')));
    this.hookPre = this.registerModule('hook_pre', new HookPoint());
    this.act = this.registerModule('act', activationModule(actFn));
    this.hookPost = this.registerModule('hook_post', new HookPoint());
    this.cProj = this.registerModule('c_proj', new Conv1D(dMlp, dModel, childSource(source, 'c_proj')));
  }

  forward(x: tf.Tensor): tf.Tensor {
    const pre = this.hookPre.call(this.cFc.call(x));
    const post = this.hookPost.call(this.act.call(pre));
    return this.cProj.call(post);
  }
}
