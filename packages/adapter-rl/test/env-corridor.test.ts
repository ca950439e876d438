import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { Corridor } from '../src/index.js';
import { corridorStep } from '../src/env/corridor-step.js';

function planes(observation: Float32Array, length: number): { agent: number; goal: number } {
  expect(observation.length).toBe(2 * length);
  expect(observation.reduce((sum, value) => sum + value, 0)).toBe(2);
  return { agent: observation.indexOf(1), goal: observation.subarray(length).indexOf(1) };
}

describe('corridorStep', () => {
  it('moves one cell, stops at the walls, and pays 1 at the goal and −0.02 elsewhere', () => {
    expect(corridorStep(9, 4, 8, 1)).toEqual({ agent: 5, reward: -0.02, terminated: false });
    expect(corridorStep(9, 4, 8, 0)).toEqual({ agent: 3, reward: -0.02, terminated: false });
    expect(corridorStep(9, 0, 5, 0)).toEqual({ agent: 0, reward: -0.02, terminated: false });
    expect(corridorStep(9, 8, 5, 1)).toEqual({ agent: 8, reward: -0.02, terminated: false });
    expect(corridorStep(9, 6, 5, 0)).toEqual({ agent: 5, reward: 1, terminated: true });
    expect(corridorStep(9, 7, 8, 1)).toEqual({ agent: 8, reward: 1, terminated: true });
    expect(() => corridorStep(9, 9, 1, 0)).toThrowTdhookError('E_INVALID_VALUE', /not a corridor move/);
    expect(() => corridorStep(9, 1, 2, 2)).toThrowTdhookError('E_INVALID_VALUE', /action 0 \(left\) or 1/);
  });
});

describe('Corridor', () => {
  it('observes two one-hot planes and reports the cells in info', () => {
    const env = new Corridor();
    expect(env.id).toBe('Corridor-9');
    expect(env.observationSpace.shape).toEqual([2, 9]);
    expect(env.actionSpace.names).toEqual(['left', 'right']);
    const { observation, info } = env.reset({ options: { agent: 6, goal: 1 } });
    expect(planes(observation, 9)).toEqual({ agent: 6, goal: 1 });
    expect(info).toEqual({ agent: 6, goal: 1 });
    const step = env.step(0);
    expect(planes(step.observation, 9)).toEqual({ agent: 5, goal: 1 });
    expect(step).toMatchObject({
      reward: -0.02,
      terminated: false,
      truncated: false,
      info: { agent: 5, goal: 1 },
    });
  });

  it('walks every one of the 72 start–goal pairs to the goal in |goal − agent| steps', () => {
    const env = new Corridor();
    let pairs = 0;
    for (let agent = 0; agent < 9; agent += 1) {
      for (let goal = 0; goal < 9; goal += 1) {
        if (goal === agent) continue;
        pairs += 1;
        let at = env.reset({ options: { agent, goal } }).info.agent ?? -1;
        let total = 0;
        let steps = 0;
        for (;;) {
          const step = env.step(goal > at ? 1 : 0);
          total += step.reward;
          steps += 1;
          at = step.info.agent ?? -1;
          if (step.terminated || step.truncated) {
            expect(step.terminated).toBe(true);
            break;
          }
        }
        expect(steps).toBe(Math.abs(goal - agent));
        expect(total).toBeCloseTo(1 - 0.02 * (steps - 1), 12);
      }
    }
    expect(pairs).toBe(72);
  });

  it('draws distinct seeded pairs, all 72 equally often, and repeats them', () => {
    const env = new Corridor();
    const counts = new Map<string, number>();
    const draws = 72 * 50;
    for (let i = 0; i < draws; i += 1) {
      const { info } = env.reset(i === 0 ? { seed: 5 } : undefined);
      expect(info.agent).not.toBe(info.goal);
      const pair = `${info.agent}-${info.goal}`;
      counts.set(pair, (counts.get(pair) ?? 0) + 1);
    }
    expect(counts.size).toBe(72);
    // Each count is Binomial(3600, 1/72): mean 50, sd ≈ 7.
    expect(Math.min(...counts.values())).toBeGreaterThan(25);
    expect(Math.max(...counts.values())).toBeLessThan(80);
    const first = env.reset({ seed: 11 }).info;
    const next = env.reset().info;
    expect(env.reset({ seed: 11 }).info).toEqual(first);
    expect(env.reset().info).toEqual(next);
  });

  it('is truncated after 12 steps away from the goal', () => {
    const env = new Corridor();
    env.reset({ options: { agent: 0, goal: 8 } });
    for (let t = 1; t <= 12; t += 1) {
      const step = env.step(0); // into the wall
      expect(step).toMatchObject({ reward: -0.02, terminated: false, truncated: t === 12 });
    }
    expect(() => env.step(1)).toThrowTdhookError('E_CONTEXT', /Call reset/);
    const short = new Corridor({ length: 5, maxEpisodeSteps: 3 });
    expect(short.id).toBe('Corridor-5');
    short.reset({ options: { agent: 0, goal: 4 } });
    expect([short.step(1), short.step(1), short.step(1)].map((step) => step.truncated)).toEqual([
      false,
      false,
      true,
    ]);
  });

  it('rejects bad actions and start cells, changing nothing', () => {
    const env = new Corridor();
    expect(() => env.step(1)).toThrowTdhookError('E_CONTEXT', /before reset/);
    env.reset({ options: { agent: 2, goal: 7 } });
    expect(() => env.step(2)).toThrowTdhookError('E_INVALID_VALUE', /0 = left, 1 = right/);
    for (const options of [
      { agent: 3, goal: 3 },
      { agent: 9, goal: 1 },
      { agent: 1 },
      { agent: 1.5, goal: 4 },
    ]) {
      expect(() => env.reset({ options })).toThrowTdhookError(
        'E_INVALID_VALUE',
        /different integer cells from 0 to 8/,
      );
    }
    expect(() => env.reset({ options: { start: 1 } })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /no start option "start"/,
    );
    expect(() => new Corridor({ length: 1 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /length must be an integer ≥ 2/,
    );
    expect(env.step(1).info).toEqual({ agent: 3, goal: 7 });
  });

  it('renders the cells, the goal and the agent', () => {
    const env = new Corridor({ cellSize: 16 });
    env.reset({ options: { agent: 2, goal: 7 } });
    const image = env.render();
    expect([image.width, image.height]).toEqual([144, 16]);
    const at = (cell: number): number[] => {
      const i = (8 * image.width + cell * 16 + 8) * 4;
      return Array.from(image.data.subarray(i, i + 4));
    };
    expect(at(2)).toEqual([40, 90, 200, 255]);
    expect(at(7)).toEqual([60, 170, 90, 255]);
    expect(at(4)).toEqual([222, 222, 222, 255]);
  });
});
