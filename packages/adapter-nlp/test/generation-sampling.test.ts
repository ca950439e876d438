// The model-free parts of generation: greedy and sampled picks, option checks.
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import { checkGenerateOptions, type GenerateOptions } from '../src/generation/generation-options.js';
import { argmax, sample } from '../src/generation/next-token.js';
import { seededRandom } from '@tdhook/core/plugin';

function tally(counts: number[], index: number): void {
  counts[index] = (counts[index] ?? 0) + 1;
}

describe('next-token picks', () => {
  const logits = new Float32Array([0, 1, 3, 3, -2, /* second row */ 5, 0, 0, 0, 0]);

  it('argmax takes the lowest index among ties, per row', () => {
    expect(argmax(logits, 0, 5)).toBe(2);
    expect(argmax(logits, 5, 5)).toBe(0);
  });

  it('samples from softmax(logits / temperature) restricted to top-k', () => {
    const random = seededRandom(3);
    const counts = [0, 0, 0, 0, 0];
    const draws = 40_000;
    const row = new Float32Array([Math.log(1), Math.log(2), Math.log(3), Math.log(4), -Infinity]);
    for (let i = 0; i < draws; i++) tally(counts, sample(row, 0, 5, { temperature: 1, topK: 5 }, random));
    const expected = [0.1, 0.2, 0.3, 0.4, 0];
    counts.forEach((count, i) => {
      expect(Math.abs(count / draws - (expected[i] ?? 0))).toBeLessThan(0.01);
    });

    const topTwo = [0, 0, 0, 0, 0];
    for (let i = 0; i < draws; i++) tally(topTwo, sample(row, 0, 5, { temperature: 1, topK: 2 }, random));
    expect([topTwo[0], topTwo[1], topTwo[4]]).toEqual([0, 0, 0]);
    expect(Math.abs((topTwo[3] ?? 0) / draws - 4 / 7)).toBeLessThan(0.01);

    const hot = [0, 0, 0, 0, 0];
    for (let i = 0; i < draws; i++) tally(hot, sample(row, 0, 5, { temperature: 0.5, topK: 5 }, random));
    // temperature 0.5 squares the probabilities: 1, 4, 9, 16 over 30
    expect(Math.abs((hot[3] ?? 0) / draws - 16 / 30)).toBeLessThan(0.01);
  });

  it('keeps every token tied with the k-th logit', () => {
    const random = seededRandom(1);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(sample(logits, 0, 5, { temperature: 1, topK: 1 }, random));
    expect([...seen].sort()).toEqual([2, 3]);
  });
});

describe('checkGenerateOptions', () => {
  const config = { nCtx: 32, dVocab: 96 };

  it('fills the defaults', () => {
    const checked = checkGenerateOptions({ maxNewTokens: 4 }, 3, config);
    expect(checked.strategy).toEqual({ kind: 'greedy' });
    expect(checked.useKvCache).toBe(true);
    expect([...checked.stopTokens]).toEqual([]);
    expect(
      checkGenerateOptions({ maxNewTokens: 4, strategy: { kind: 'sampled', seed: 1 } }, 3, config).strategy,
    ).toEqual({
      kind: 'sampled',
      seed: 1,
      temperature: 1,
      topK: 96,
    });
  });

  const bad: [string, unknown, RegExp][] = [
    ['no maxNewTokens', {}, /maxNewTokens must be a positive integer, got undefined/],
    [
      'too many tokens',
      { maxNewTokens: 30 },
      /prompt of 3 positions \+ 30 new tokens exceeds the model's context of 32/,
    ],
    ['an unknown strategy', { maxNewTokens: 1, strategy: { kind: 'beam' } }, /strategy must be/],
    ['no seed', { maxNewTokens: 1, strategy: { kind: 'sampled' } }, /seed must be an integer/],
    [
      'temperature 0',
      { maxNewTokens: 1, strategy: { kind: 'sampled', seed: 1, temperature: 0 } },
      /temperature must be a positive number/,
    ],
    [
      'topK 0',
      { maxNewTokens: 1, strategy: { kind: 'sampled', seed: 1, topK: 0 } },
      /topK must be a positive integer/,
    ],
    ['a string useKvCache', { maxNewTokens: 1, useKvCache: 'yes' }, /useKvCache must be a boolean/],
    [
      'a stop token outside the vocabulary',
      { maxNewTokens: 1, stopTokens: [96] },
      /stopTokens must be token ids in \[0, 96\)/,
    ],
    ['an onToken that is no function', { maxNewTokens: 1, onToken: 3 }, /onToken must be a function/],
  ];
  for (const [label, options, message] of bad) {
    it(`refuses ${label}`, () => {
      expect(() => checkGenerateOptions(options as GenerateOptions, 3, config)).toThrowTdhookError(
        'E_INVALID_VALUE',
        message,
      );
    });
  }
});
