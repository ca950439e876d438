import { wordPattern } from '@tdhook/adapter-nlp';
import { describe, expect, it } from 'vitest';

import {
  createRandom,
  generateInductionBatch,
  generateIoiPrompts,
  ioiNames,
  ioiTemplates,
  ioiVocabulary,
  isHeldOutPair,
  mobyDickCorpus,
  sampleMobyDickWindows,
} from '../src/index.js';

describe('createRandom', () => {
  it('is deterministic for a seed and uniform enough in [0, 1)', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const values = Array.from({ length: 10_000 }, () => a());
    expect(values.slice(0, 100)).toEqual(Array.from({ length: 100 }, () => b()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    // No degenerate cycle: 10 000 draws give (nearly) 10 000 distinct values.
    expect(new Set(values).size).toBeGreaterThan(9_990);
    expect(createRandom(43)()).not.toBe(createRandom(42)());
  });
});

describe('IOI prompts', () => {
  it('are deterministic for a seed', () => {
    expect(generateIoiPrompts({ seed: 5, count: 20 })).toEqual(generateIoiPrompts({ seed: 5, count: 20 }));
    expect(generateIoiPrompts({ seed: 6, count: 20 })).not.toEqual(
      generateIoiPrompts({ seed: 5, count: 20 }),
    );
  });

  it('use both orders about equally, every template, and two distinct names with the right answer', () => {
    const prompts = generateIoiPrompts({ seed: 1, count: 600 });
    const abb = prompts.filter((p) => p.order === 'ABB').length;
    expect(abb).toBeGreaterThan(250);
    expect(600 - abb).toBeGreaterThan(250);
    expect(new Set(prompts.map((p) => p.template)).size).toBe(ioiTemplates.length);
    for (const p of prompts) {
      expect(p.answer).not.toBe(p.subject);
      const names = p.words.filter((w) => ioiNames.includes(w));
      // ABB: answer, subject, subject; BAB: subject, answer, subject.
      expect(names).toEqual(
        p.order === 'ABB' ? [p.answer, p.subject, p.subject] : [p.subject, p.answer, p.subject],
      );
      expect(p.words).toEqual(p.text.match(wordPattern));
      expect(p.text.endsWith(' to')).toBe(true);
    }
    const [first] = generateIoiPrompts({ seed: 1, count: 1, template: 0 });
    expect(first?.text).toMatch(/^When \w+ and \w+ went to the store, \w+ gave a drink to$/);
  });

  it('have the same length within a template, and every word in the vocabulary', () => {
    const vocabulary = new Set(ioiVocabulary());
    ioiTemplates.forEach((_, template) => {
      const prompts = generateIoiPrompts({ seed: template, count: 50, template });
      expect(new Set(prompts.map((p) => p.words.length)).size).toBe(1);
      for (const p of prompts) for (const w of p.words) expect(vocabulary.has(w)).toBe(true);
    });
  });

  it('keep held-out name pairs out of training prompts', () => {
    expect(ioiNames.length).toBe(40);
    expect(new Set(ioiNames).size).toBe(40);
    for (const name of ioiNames) expect(name).toMatch(/^[A-Z][a-z]{2,6}$/);
    const train = generateIoiPrompts({ seed: 2, count: 500 });
    const heldOut = generateIoiPrompts({ seed: 2, count: 200, split: 'held-out' });
    expect(train.every((p) => !isHeldOutPair(p.answer, p.subject))).toBe(true);
    expect(heldOut.every((p) => isHeldOutPair(p.answer, p.subject))).toBe(true);
    expect(isHeldOutPair('Mary', 'John')).toBe(isHeldOutPair('John', 'Mary'));
    // About one pair in eight is held out.
    let held = 0;
    for (const a of ioiNames) for (const b of ioiNames) if (a < b && isHeldOutPair(a, b)) held++;
    expect(held / ((40 * 39) / 2)).toBeGreaterThan(0.09);
    expect(held / ((40 * 39) / 2)).toBeLessThan(0.16);
  });

  it('reject bad options', () => {
    expect(() => generateIoiPrompts({ seed: 1, count: -1 })).toThrow(RangeError);
    expect(() => generateIoiPrompts({ seed: 1, count: 1, template: ioiTemplates.length })).toThrow(
      /template/,
    );
  });
});

describe('induction sequences', () => {
  it('are deterministic and copy a 4–10-token span to a random later place', () => {
    const a = generateInductionBatch({ seed: 3, count: 300 });
    expect(a).toEqual(generateInductionBatch({ seed: 3, count: 300 }));
    const offsets = new Set<number>();
    const lengths = new Set<number>();
    a.spans.forEach(({ source, copy, length }, row) => {
      expect(length).toBeGreaterThanOrEqual(4);
      expect(length).toBeLessThanOrEqual(10);
      expect(copy).toBeGreaterThanOrEqual(source + length);
      expect(copy + length).toBeLessThanOrEqual(32);
      for (let j = 0; j < length; j++)
        expect(a.tokens[row * 32 + copy + j]).toBe(a.tokens[row * 32 + source + j]);
      const marked = Array.from(a.mask.subarray(row * 32, row * 32 + 32)).flatMap((m, p) =>
        m === 1 ? [p] : [],
      );
      expect(marked).toEqual(Array.from({ length: length - 1 }, (_, j) => copy + j));
      offsets.add(copy - source);
      lengths.add(length);
    });
    // Random offsets: no positional shortcut.
    expect(offsets.size).toBeGreaterThan(15);
    expect(lengths.size).toBe(7);
    expect(Math.max(...a.tokens)).toBe(31);
  });

  it('reject options that leave no room', () => {
    expect(() => generateInductionBatch({ seed: 1, count: 1, length: 12 })).toThrow(RangeError);
    expect(() => generateInductionBatch({ seed: 1, count: 1, spanLength: [1, 3] })).toThrow(RangeError);
  });
});

describe('the Moby Dick corpus', () => {
  it('is the lowercased novel, split 95 / 5, with a vocabulary of its characters', () => {
    const { train, heldOut, vocabulary } = mobyDickCorpus();
    expect(train.length + heldOut.length).toBe(1_190_317);
    expect(heldOut.length).toBe(59_516);
    expect(train.startsWith('chapter 1. loomings.\n\ncall me ishmael.')).toBe(true);
    expect(train).toBe(train.toLowerCase());
    expect(vocabulary.length).toBe(57);
    expect(vocabulary).toContain('\n');
    expect(vocabulary).not.toContain('A');
  });

  it('gives seeded windows of token ids', () => {
    const ids = sampleMobyDickWindows({ seed: 1, count: 4, length: 16, split: 'held-out' });
    expect(ids).toEqual(sampleMobyDickWindows({ seed: 1, count: 4, length: 16, split: 'held-out' }));
    const { heldOut, vocabulary } = mobyDickCorpus();
    const first = Array.from(ids.subarray(0, 17), (id) => vocabulary[id]).join('');
    expect(heldOut.includes(first)).toBe(true);
    expect(() => sampleMobyDickWindows({ seed: 1, count: 1, length: 0 })).toThrow(RangeError);
  });
});
