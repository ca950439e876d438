// The harness end to end: workers in fresh processes, spawn and run apart, comparisons, failures recorded.
// No timing assertions: only that the numbers are there and make sense.
import { describe, expect, it } from 'vitest';

import { defineScenario, runSuite, summarise } from '../src/index.js';

const suite = new URL('./fixtures/tiny-suite.mjs', import.meta.url);

describe('runSuite', () => {
  it('measures every variant at every grid point in its own process and compares with the baseline', async () => {
    const events: string[] = [];
    const result = await runSuite({
      suite,
      preset: 'quick',
      backend: 'cpu',
      onProgress: ({ done, total }) => events.push(`${String(done)}/${String(total)}`),
    });
    expect(events).toEqual(['0/6', '1/6', '2/6', '3/6', '4/6', '5/6', '6/6']);
    const matmul = result.measurements.filter((m) => m.scenario === 'matmul');
    expect(matmul.map((m) => [m.variant, m.params])).toEqual([
      ['plain', { size: 8 }],
      ['fused', { size: 8 }],
      ['plain', { size: 16 }],
      ['fused', { size: 16 }],
    ]);
    for (const m of matmul) {
      expect(m.error).toBeUndefined();
      expect(m.backend).toBe('cpu');
      expect(m.run.runs).toBe(5);
      expect(m.run.median).toBeGreaterThan(0);
      expect(m.spawnMs).toBeGreaterThan(m.run.median); // Node start-up and imports are in spawn
      expect(m.peakRssMiB).toBeGreaterThan(10);
      expect(m.tensorBytesAfterSetup).toBeGreaterThanOrEqual(m.params.size === 8 ? 8 * 8 * 4 : 16 * 16 * 4);
    }
    const comparison = result.comparisons.find((c) => c.scenario === 'matmul' && c.params.size === 16);
    expect(comparison?.baseline).toBe('plain');
    expect(Number.isFinite(comparison?.speedup.fused)).toBe(true);
    expect(result.machine.tfjs).toBe('4.22.0');
  }, 120_000);

  it('records a failing variant with its error and goes on', async () => {
    const result = await runSuite({ suite, preset: 'quick', only: ['broken'], backend: 'cpu' });
    const failing = result.measurements.find((m) => m.variant === 'failing');
    expect(failing?.error).toMatch(/no model here/);
    expect(Number.isNaN(failing?.run.median)).toBe(true);
    expect(result.measurements.find((m) => m.variant === 'plain')?.error).toBeUndefined();
  }, 60_000);
});

describe('defineScenario and summarise', () => {
  it('rejects a bad id, an unknown baseline and an empty grid', () => {
    const variants = { plain: () => ({ run: () => undefined, dispose: () => undefined }) };
    const grid = { quick: [{ n: 1 }], full: [{ n: 1 }] };
    expect(() => defineScenario({ id: 'Bad Id', title: '', grid, baseline: 'plain', variants })).toThrow(
      /lower-case/,
    );
    expect(() => defineScenario({ id: 'x', title: '', grid, baseline: 'tdhook', variants })).toThrow(
      /baseline/,
    );
    expect(() =>
      defineScenario({
        id: 'x',
        title: '',
        grid: { quick: [], full: [{ n: 1 }] },
        baseline: 'plain',
        variants,
      }),
    ).toThrow(/grid/);
  });

  it('gives the median and the 10th/90th percentiles', () => {
    expect(summarise([5, 1, 3])).toEqual({ median: 3, p10: 1, p90: 5, runs: 3 });
    expect(summarise([4, 1, 3, 2]).median).toBe(2.5);
    expect(summarise([]).median).toBeNaN();
  });
});
