import * as tf from '@tensorflow/tfjs-core';

import { Module } from '@tdhook/core';

import type { ResolvedTransformerConfig } from './config.js';
import { Conv1D } from './conv1d.js';
import { HookPoint } from './hook-point.js';
import type { KeyValueSlot } from './key-value-slot.js';
import { childSource, type ParameterSource } from './parameter-source.js';

// The causal mask at the scores' full shape [batch, head, queries, keys], written on the CPU: broadcasting a
// [queries, keys] mask would run the Tile kernel, which costs ~100 ns per element on wasm and cpu (most of a
// small model's forward pass). Query i sits at position start + i and sees keys 0 … start + i.
function causalMask(shape: readonly number[], start: number): tf.Tensor {
  const [batch = 0, heads = 0, queries = 0, keys = 0] = shape;
  const block = queries * keys;
  const values = new Uint8Array(batch * heads * block);
  for (let query = 0; query < queries; query++)
    values.fill(1, query * keys, query * keys + start + query + 1);
  for (let copy = 1; copy < batch * heads; copy++) values.copyWithin(copy * block, 0, block);
  return tf.tensor(values, [batch, heads, queries, keys], 'bool');
}

/**
 * GPT-2's causal self-attention, with TransformerLens's hook points. A fused `c_attn` (Conv1D
 * `[dModel, 3·nHeads·dHead]`) gives q, k and v, each split into contiguous heads; the scores are
 * `q·kᵀ / √dHead`, causally masked with −∞ before the softmax; `c_proj` maps the concatenated heads back.
 *
 * Hook points: `hook_q`, `hook_k`, `hook_v` and `hook_z` `[batch, pos, head, d_head]`; `hook_attn_scores`
 * (scaled, masked, before the softmax) and `hook_pattern` `[batch, head, query_pos, key_pos]`; `hook_result`
 * `[batch, pos, head, d_model]`, each head's contribution to the output (`z_h · W_O[h]`), computed only
 * while {@link Attention.useAttnResult} is on, when the output is the sum of the heads' results plus
 * `c_proj`'s bias (TransformerLens's `use_attn_result`).
 *
 * @example
 * const attn = new Attention(config, source);
 * attn.call(ln1Output); // [batch, pos, dModel]
 */
export class Attention extends Module<[tf.Tensor, KeyValueSlot?]> {
  readonly nHeads: number;
  readonly dHead: number;
  /** Whether `hook_result` is computed (and the output summed from it). Off by default: it costs memory. */
  useAttnResult = false;
  readonly cAttn: Conv1D;
  readonly hookQ: HookPoint;
  readonly hookK: HookPoint;
  readonly hookV: HookPoint;
  readonly hookAttnScores: HookPoint;
  readonly hookPattern: HookPoint;
  readonly hookZ: HookPoint;
  readonly hookResult: HookPoint;
  readonly cProj: Conv1D;

  constructor(config: ResolvedTransformerConfig, source: ParameterSource) {
    super();
    const { dModel, nHeads, dHead } = config;
    this.nHeads = nHeads;
    this.dHead = dHead;
    const inner = nHeads * dHead;
    this.cAttn = this.registerModule('c_attn', new Conv1D(dModel, 3 * inner, childSource(source, 'c_attn')));
    this.hookQ = this.registerModule('hook_q', new HookPoint());
    this.hookK = this.registerModule('hook_k', new HookPoint());
    this.hookV = this.registerModule('hook_v', new HookPoint());
    this.hookAttnScores = this.registerModule('hook_attn_scores', new HookPoint());
    this.hookPattern = this.registerModule('hook_pattern', new HookPoint());
    this.hookZ = this.registerModule('hook_z', new HookPoint());
    this.hookResult = this.registerModule('hook_result', new HookPoint());
    this.cProj = this.registerModule('c_proj', new Conv1D(inner, dModel, childSource(source, 'c_proj')));
  }

  forward(x: tf.Tensor, slot?: KeyValueSlot): tf.Tensor {
    const [batch = 0, length = 0] = x.shape;
    const { nHeads, dHead } = this;
    const inner = nHeads * dHead;
    const qkv = this.cAttn.call(x);
    const heads = (part: number): tf.Tensor =>
      tf.reshape(tf.slice(qkv, [0, 0, part * inner], [batch, length, inner]), [batch, length, nHeads, dHead]);
    const q = this.hookQ.call(heads(0));
    let k = this.hookK.call(heads(1));
    let v = this.hookV.call(heads(2));
    const start = slot?.start ?? 0;
    if (slot !== undefined) {
      if (slot.past !== undefined) {
        k = tf.concat([slot.past.key, k], 1);
        v = tf.concat([slot.past.value, v], 1);
      }
      slot.present = { key: k, value: v };
    }
    // [batch, head, pos, d_head]
    const qh = tf.transpose(q, [0, 2, 1, 3]);
    const kh = tf.transpose(k, [0, 2, 1, 3]);
    const vh = tf.transpose(v, [0, 2, 1, 3]);
    const scaled = tf.div(tf.matMul(qh, kh, false, true), Math.sqrt(dHead));
    // tf.where, never scores + mask·(−∞): 0·(−∞) is NaN.
    const mask = causalMask(scaled.shape, start);
    const scores = this.hookAttnScores.call(
      tf.where(mask, scaled, tf.fill(scaled.shape, Number.NEGATIVE_INFINITY)),
    );
    const pattern = this.hookPattern.call(tf.softmax(scores, -1));
    const z = this.hookZ.call(tf.transpose(tf.matMul(pattern, vh), [0, 2, 1, 3]));
    if (!this.useAttnResult) return this.cProj.call(tf.reshape(z, [batch, length, inner]));
    return tf.add(tf.sum(this.hookResult.call(this.#perHeadResult(z)), 2), this.cProj.bias);
  }

  /** Each head's share of the output, `z[:, :, h] · W_O[h]`: `[batch, pos, head, d_model]`. */
  #perHeadResult(z: tf.Tensor): tf.Tensor {
    const [batch = 0, length = 0] = z.shape;
    const { nHeads, dHead } = this;
    const dModel = this.cProj.outFeatures;
    const perHead = tf.reshape(tf.transpose(z, [2, 0, 1, 3]), [nHeads, batch * length, dHead]);
    const wO = tf.reshape(this.cProj.kernel, [nHeads, dHead, dModel]);
    const result = tf.reshape(tf.matMul(perHead, wO), [nHeads, batch, length, dModel]);
    return tf.transpose(result, [1, 2, 0, 3]);
  }
}
