// The plain TF.js side of the patching scenarios: an attention-only GPT-2 (the IOI model) written by hand on
// its weight record, and activation patching of hook_z one cell at a time: the clean run's z computed once,
// then one run per cell, whole, or (the shortcut plain code can take) from the cell's layer on from the
// corrupted run's residual stream, with the last position's logits only.
import * as tf from '@tensorflow/tfjs-core';

import { conv1d, layerNorm, type Gpt2Shape } from './gpt2-plain.js';

/**
 * The IOI model's weights (Hugging Face names) and shape, for the hand-written forward.
 *
 * @example
 * const plain: PlainAttnOnly = { weights: model.gpt2Weights(), shape: model.config };
 */
export interface PlainAttnOnly {
  readonly weights: Readonly<Record<string, tf.Tensor>>;
  readonly shape: Gpt2Shape;
}

function weight(model: PlainAttnOnly, name: string): tf.Tensor {
  const tensor = model.weights[name];
  if (tensor === undefined) throw new Error(`no weight ${name}`);
  return tensor;
}

/**
 * `true` where key j is visible from query i (j ≤ i), at the scores' full shape `[batch, heads, positions,
 * positions]`, written on the CPU: broadcasting a smaller mask would run the Tile kernel (~100 ns per element).
 */
function causalMask(shape: readonly number[]): tf.Tensor {
  const [batch = 0, heads = 0, positions = 0] = shape;
  const block = positions * positions;
  const values = new Uint8Array(batch * heads * block);
  for (let query = 0; query < positions; query++)
    values.fill(1, query * positions, query * positions + query + 1);
  for (let copy = 1; copy < batch * heads; copy++) values.copyWithin(copy * block, 0, block);
  return tf.tensor(values, [...shape], 'bool');
}

/** One attention layer's z, `[batch, positions, heads, dHead]`, from the residual stream before it. */
function attentionZ(model: PlainAttnOnly, layer: number, residual: tf.Tensor): tf.Tensor {
  const { nHeads, dHead, layerNormEps } = model.shape;
  const [batch = 0, positions = 0] = residual.shape;
  const p = (name: string): tf.Tensor => weight(model, `h.${String(layer)}.${name}`);
  const inner = nHeads * dHead;
  const { normalized } = layerNorm(residual, p('ln_1.weight'), p('ln_1.bias'), layerNormEps);
  const qkv = conv1d(normalized, p('attn.c_attn.weight'), p('attn.c_attn.bias'));
  const [q, k, v] = tf
    .split(qkv, [inner, inner, inner], -1)
    .map((part) => tf.transpose(tf.reshape(part, [batch, positions, nHeads, dHead]), [0, 2, 1, 3])) as [
    tf.Tensor4D,
    tf.Tensor4D,
    tf.Tensor4D,
  ];
  const raw = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dHead));
  const scores = tf.where(causalMask(raw.shape), raw, tf.fill(raw.shape, -Infinity));
  return tf.transpose(tf.matMul(tf.softmax(scores), v), [0, 2, 1, 3]);
}

/** The residual stream after a layer whose z is given. */
function addAttention(model: PlainAttnOnly, layer: number, residual: tf.Tensor, z: tf.Tensor): tf.Tensor {
  const [batch = 0, positions = 0] = residual.shape;
  const p = (name: string): tf.Tensor => weight(model, `h.${String(layer)}.${name}`);
  const merged = tf.reshape(z, [batch, positions, model.shape.nHeads * model.shape.dHead]);
  return tf.add(residual, conv1d(merged, p('attn.c_proj.weight'), p('attn.c_proj.bias')));
}

/** The logits `[batch, positions, vocab]` (final LayerNorm, tied unembedding) of a residual stream. */
function logits(model: PlainAttnOnly, residual: tf.Tensor): tf.Tensor {
  const [batch = 0, positions = 0, width = 0] = residual.shape;
  const { normalized } = layerNorm(
    residual,
    weight(model, 'ln_f.weight'),
    weight(model, 'ln_f.bias'),
    model.shape.layerNormEps,
  );
  const flat = tf.matMul(tf.reshape(normalized, [-1, width]), weight(model, 'wte.weight'), false, true);
  return tf.reshape(flat, [batch, positions, -1]);
}

/** The last position of `[batch, positions, width]`, as `[batch, width]`. */
function lastPosition(x: tf.Tensor): tf.Tensor {
  const [batch = 0, positions = 0, width = 0] = x.shape;
  return tf.reshape(tf.slice(x, [0, positions - 1, 0], [batch, 1, width]), [batch, width]);
}

/**
 * The hand-written forward of an attention-only GPT-2 from token ids: the residual stream before each layer,
 * each layer's z (after `patch`, if given for that layer) and the final residual stream. Run it inside
 * `tf.tidy`.
 *
 * @example
 * const { residuals, zs } = plainAttnOnlyForward(plain, ids);
 */
export function plainAttnOnlyForward(
  model: PlainAttnOnly,
  ids: tf.Tensor2D,
  patch?: { readonly layer: number; readonly patch: (z: tf.Tensor) => tf.Tensor },
): { residuals: tf.Tensor[]; zs: tf.Tensor[]; final: tf.Tensor } {
  const { nLayers, dModel } = model.shape;
  const positions = ids.shape[1];
  const embed = tf.gather(weight(model, 'wte.weight'), ids);
  const pos = tf.slice(weight(model, 'wpe.weight'), [0, 0], [positions, dModel]);
  // Add broadcasts the positions over the batch itself (broadcastTo would run Tile).
  let residual = tf.add(embed, pos);
  const residuals: tf.Tensor[] = [];
  const zs: tf.Tensor[] = [];
  for (let layer = 0; layer < nLayers; layer++) {
    residuals.push(residual);
    const computed = attentionZ(model, layer, residual);
    const z = patch?.layer === layer ? patch.patch(computed) : computed;
    zs.push(z);
    residual = addAttention(model, layer, residual, z);
  }
  return { residuals, zs, final: residual };
}

/** One cell of a (layer, head, position) grid: hook_z of `layer` at `[:, position, head, :]`. */
export interface ZCell {
  readonly layer: number;
  readonly head: number;
  readonly position: number;
}

/**
 * The cells of a (layer, head, position) grid in row-major order, as `headPositionSites` lays them out.
 *
 * @example
 * zCells({ nLayers: 2, nHeads: 4 }, 15).length; // 120
 */
export function zCells(
  shape: { readonly nLayers: number; readonly nHeads: number },
  positions: number,
): ZCell[] {
  const cells: ZCell[] = [];
  for (let layer = 0; layer < shape.nLayers; layer++) {
    for (let head = 0; head < shape.nHeads; head++) {
      for (let position = 0; position < positions; position++) cells.push({ layer, head, position });
    }
  }
  return cells;
}

/**
 * A bool mask of z's shape `[batch, positions, heads, dHead]`, true at one cell's head and position: built
 * at its full shape so that `tf.where` needs no broadcast.
 *
 * @example
 * const mask = zCellMask({ layer: 0, head: 1, position: 3 }, [2, 15, 4, 16]);
 */
export function zCellMask(cell: ZCell, shape: readonly [number, number, number, number]): tf.Tensor {
  const [batch, positions, heads, size] = shape;
  const values = new Uint8Array(batch * positions * heads * size);
  for (let row = 0; row < batch; row++) {
    const start = ((row * positions + cell.position) * heads + cell.head) * size;
    values.fill(1, start, start + size);
  }
  return tf.tensor(values, [...shape], 'bool');
}

/**
 * `logits[answer] − logits[versus]` per row of `[batch, vocab]` logits, as a one-hot product (the same ops as
 * `logitDifference`).
 *
 * @example
 * const difference = tf.sum(tf.mul(logits, oneHotDifference(answer, subject, vocab)), 1);
 */
export function oneHotDifference(
  answer: readonly number[],
  versus: readonly number[],
  vocab: number,
): tf.Tensor {
  return tf.tidy(() =>
    tf.cast(
      tf.sub(
        tf.oneHot(tf.tensor1d([...answer], 'int32'), vocab),
        tf.oneHot(tf.tensor1d([...versus], 'int32'), vocab),
      ),
      'float32',
    ),
  );
}

/**
 * How {@link plainPatchEveryCell} runs a cell: `full` runs the whole model (every layer, every position's
 * logits), as one run per cell does; `shortcut` starts at the cell's layer from the corrupted run's residual
 * stream and computes the last position's logits only, which plain code can do and a hooked model cannot.
 *
 * @example
 * const mode: PlainCellRun = 'full';
 */
export type PlainCellRun = 'full' | 'shortcut';

/**
 * Activation patching one cell at a time in plain TF.js: `[batch, cells]` patched metrics. The clean run's
 * z come first (once); each cell then runs with z patched at the cell's mask by `tf.where` (see
 * {@link PlainCellRun}). Run it inside `tf.tidy`.
 *
 * @example
 * const grid = tf.tidy(() => plainPatchEveryCell(plain, clean, corrupted, cells, masks, weights, 'full'));
 */
export function plainPatchEveryCell(
  model: PlainAttnOnly,
  clean: tf.Tensor2D,
  corrupted: tf.Tensor2D,
  cells: readonly ZCell[],
  masks: readonly tf.Tensor[],
  metricWeights: tf.Tensor,
  mode: PlainCellRun,
): tf.Tensor {
  const source = plainAttnOnlyForward(model, clean).zs;
  const receiving = mode === 'shortcut' ? plainAttnOnlyForward(model, corrupted) : undefined;
  const values = cells.map((cell, index) =>
    tf.tidy(() => {
      const patch = (z: tf.Tensor): tf.Tensor =>
        tf.where(masks[index] as tf.Tensor, source[cell.layer] as tf.Tensor, z);
      let last: tf.Tensor;
      if (receiving === undefined) {
        const final = plainAttnOnlyForward(model, corrupted, { layer: cell.layer, patch }).final;
        last = lastPosition(logits(model, final));
      } else {
        const { layer } = cell;
        let residual = addAttention(
          model,
          layer,
          receiving.residuals[layer] as tf.Tensor,
          patch(receiving.zs[layer] as tf.Tensor),
        );
        for (let later = layer + 1; later < model.shape.nLayers; later++) {
          residual = addAttention(model, later, residual, attentionZ(model, later, residual));
        }
        last = lastPosition(logits(model, tf.expandDims(lastPosition(residual), 1)));
      }
      return tf.sum(tf.mul(last, metricWeights), 1);
    }),
  );
  return tf.stack(values, 1);
}
