import type * as tf from '@tensorflow/tfjs-core';

import { DisposedError, InvalidValueError, ShapeMismatchError } from '@tdhook/core';
import { describeStructure, isTensor } from '@tdhook/core/plugin';

import type { ResolvedTransformerConfig } from './config.js';

function checkLive(value: unknown, name: string, where: string, fix: string): asserts value is tf.Tensor {
  if (!isTensor(value)) {
    throw new InvalidValueError({
      what: `${name} must be a tensor, got ${describeStructure(value)}`,
      where,
      fix,
    });
  }
  if (value.isDisposed) {
    throw new DisposedError({ what: `${name} was disposed`, where, fix: 'Pass a live tensor.' });
  }
}

function checkLength(length: number, start: number, config: ResolvedTransformerConfig, where: string): void {
  if (start + length > config.nCtx) {
    throw new InvalidValueError({
      what:
        start === 0
          ? `A sequence of ${length} positions is longer than the model's context of ${config.nCtx}`
          : `${start} cached + ${length} new positions exceed the model's context of ${config.nCtx}`,
      where,
      fix: `Pass at most ${config.nCtx - start} positions (nCtx counts every position, cached ones included).`,
    });
  }
}

/**
 * Checks token ids: an int32 `[batch, pos]` tensor, batch and pos at least 1, every id in `[0, dVocab)`,
 * and `start + pos ≤ nCtx`. Reads the ids (they are small) to check their range.
 */
export function checkTokens(
  tokens: unknown,
  config: ResolvedTransformerConfig,
  where: string,
  start = 0,
): asserts tokens is tf.Tensor {
  const fix = 'Pass token ids as tf.tensor2d(ids, [batch, pos], "int32").';
  checkLive(tokens, 'tokens', where, fix);
  if (tokens.dtype !== 'int32') {
    throw new InvalidValueError({
      what: `tokens must be int32 token ids, got ${describeStructure(tokens)}`,
      where,
      fix: `${fix} A float tensor of embeddings goes to forwardFromEmbeddings.`,
    });
  }
  const batch = tokens.shape.at(0) ?? 0;
  const length = tokens.shape.at(1) ?? 0;
  if (tokens.shape.length !== 2 || batch < 1 || length < 1) {
    throw new ShapeMismatchError({
      what: `tokens must be [batch, pos] with batch and pos at least 1, got ${describeStructure(tokens)}`,
      where,
      fix: `${fix} One sequence is tf.tensor2d([ids], [1, ids.length], "int32").`,
    });
  }
  checkLength(length, start, config, where);
  const ids = tokens.dataSync();
  for (let index = 0; index < ids.length; index++) {
    const id = ids[index] ?? 0;
    if (id < 0 || id >= config.dVocab) {
      throw new InvalidValueError({
        what: `Token id ${id} (sequence ${Math.floor(index / length)}, position ${index % length}) is outside the vocabulary of ${config.dVocab}`,
        where,
        fix: `Use ids from 0 to ${config.dVocab - 1}; check that the tokenizer belongs to this model.`,
      });
    }
  }
}

/** Checks embeddings for forwardFromEmbeddings: float32 `[batch, pos, dModel]`, pos ≤ nCtx. */
export function checkEmbeddings(
  embed: unknown,
  config: ResolvedTransformerConfig,
  where: string,
  name = 'embed',
): asserts embed is tf.Tensor {
  const fix = `Pass a float32 [batch, pos, ${config.dModel}] tensor, e.g. what hook_embed outputs.`;
  checkLive(embed, name, where, fix);
  const batch = embed.shape.at(0) ?? 0;
  const length = embed.shape.at(1) ?? 0;
  const width = embed.shape.at(2);
  if (
    embed.dtype !== 'float32' ||
    embed.shape.length !== 3 ||
    batch < 1 ||
    length < 1 ||
    width !== config.dModel
  ) {
    throw new ShapeMismatchError({
      what: `${name} must be float32 [batch, pos, ${config.dModel}], got ${describeStructure(embed)}`,
      where,
      fix,
    });
  }
  checkLength(length, 0, config, where);
}
