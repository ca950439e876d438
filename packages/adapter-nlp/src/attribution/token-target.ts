import * as tf from '@tensorflow/tfjs-core';

import { TextAttributionError } from './text-attribution-error.js';

/**
 * What a token attribution explains: the logit of `token` at `position` (default the last), or with
 * `versus` the logit difference `logit[token] − logit[versus]` (a patching-style metric, e.g. the IOI
 * answer against the other name). A number applies to every sequence of the batch; an array gives one
 * token per sequence.
 *
 * @example
 * const answer: TokenTarget = { token: 51 };
 * const metric: TokenTarget = { token: 51, versus: 61 };
 * const perSequence: TokenTarget = { token: [82, 61, 90], position: -1 };
 */
export interface TokenTarget {
  readonly token: number | readonly number[];
  readonly versus?: number | readonly number[];
  /** The position whose logits are read; negative counts from the end. Default -1 (the last). */
  readonly position?: number;
}

/** A target resolved for a batch: the token (and `versus`) of each sequence and the position read. */
export interface ResolvedTarget {
  readonly tokens: number[];
  readonly versus?: number[];
  /** `[batch, dVocab]`: +1 at the token, −1 at `versus` (if any). */
  readonly weights: number[][];
  /** The position, 0 … pos − 1. */
  readonly position: number;
}

function perSequence(
  value: number | readonly number[],
  batch: number,
  name: string,
  dVocab: number,
): number[] {
  const list = typeof value === 'number' ? Array.from({ length: batch }, () => value) : [...value];
  const where = `target.${name}`;
  if (!Array.isArray(list) || list.length !== batch) {
    throw new TextAttributionError({
      what: `target.${name} gives ${list.length} tokens for ${batch} sequences`,
      where,
      fix: 'Give one token id, or one per sequence.',
    });
  }
  list.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id >= dVocab) {
      throw new TextAttributionError({
        what: `Token id ${String(id)} (sequence ${i}) is not in the vocabulary 0…${dVocab - 1}`,
        where,
        fix: 'Pass the id the tokenizer gives the target token.',
      });
    }
  });
  return list;
}

/** Checks a target against a batch and vocabulary and resolves it. */
export function resolveTarget(
  target: TokenTarget,
  batch: number,
  length: number,
  dVocab: number,
): ResolvedTarget {
  if (typeof target !== 'object' || (target as unknown) === null) {
    throw new TextAttributionError({
      what: 'A target must be { token, versus?, position? }',
      where: 'target',
      fix: 'E.g. { token: 51 } for the logit of token 51 at the last position.',
    });
  }
  const tokens = perSequence(target.token, batch, 'token', dVocab);
  const versus =
    target.versus === undefined ? undefined : perSequence(target.versus, batch, 'versus', dVocab);
  const requested = target.position ?? -1;
  const position = requested < 0 ? length + requested : requested;
  if (!Number.isInteger(requested) || position < 0 || position >= length) {
    throw new TextAttributionError({
      what: `Position ${requested} is outside the sequence of ${length} tokens`,
      where: 'target.position',
      fix: `Use 0…${length - 1}, or −1 for the last token.`,
    });
  }
  const weights = tokens.map((token, i) => {
    const row = new Array<number>(dVocab).fill(0);
    row[token] = 1;
    const other = versus?.[i];
    if (other !== undefined) row[other] = (row[other] ?? 0) - 1;
    return row;
  });
  return { tokens, ...(versus === undefined ? {} : { versus }), weights, position };
}

/** The target's value per sequence from the logits at the target position `[batch, dVocab]`. */
export function targetValues(logits: tf.Tensor, target: ResolvedTarget): number[] {
  return tf.tidy(() => Array.from(tf.sum(tf.mul(logits, tf.tensor2d(target.weights)), -1).dataSync()));
}
