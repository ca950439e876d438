import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { CartPole } from '../src/index.js';
import { cartPoleConstants } from '../src/env/cartpole-physics.js';

/** Balances with a hand-tuned linear rule (no learning): enough to reach the 500-step limit. */
function balance(observation: Float32Array): number {
  const [x, xDot, theta, thetaDot] = observation as unknown as [number, number, number, number];
  return theta + 0.5 * thetaDot + 0.05 * x + 0.1 * xDot > 0 ? 1 : 0;
}

function pixel(image: { width: number; data: Uint8ClampedArray }, x: number, y: number): number[] {
  const i = (y * image.width + x) * 4;
  return Array.from(image.data.subarray(i, i + 4));
}

describe('CartPole', () => {
  it('describes its spaces as Gymnasium does', () => {
    const env = new CartPole();
    expect(env.id).toBe('CartPole-v1');
    expect(env.maxEpisodeSteps).toBe(500);
    expect(env.observationSpace.shape).toEqual([4]);
    expect(env.observationSpace.names).toEqual([
      'cart_position',
      'cart_velocity',
      'pole_angle',
      'pole_angular_velocity',
    ]);
    expect(env.observationSpace.high).toEqual([4.8, Infinity, (24 * Math.PI) / 180, Infinity]);
    expect(env.actionSpace).toEqual({ kind: 'discrete', n: 2, names: ['push left', 'push right'] });
    expect(cartPoleConstants.thetaThreshold).toBeCloseTo(0.2094395, 7);
  });

  it('draws seeded start states uniformly from ±0.05 and repeats them', () => {
    const env = new CartPole();
    const first = Array.from(env.reset({ seed: 3 }).observation);
    const second = Array.from(env.reset().observation); // the generator goes on
    expect(Array.from(env.reset({ seed: 3 }).observation)).toEqual(first);
    expect(second).not.toEqual(first);
    const starts: number[] = [];
    for (let seed = 0; seed < 200; seed += 1) starts.push(...new CartPole().reset({ seed }).observation);
    expect(Math.min(...starts)).toBeGreaterThanOrEqual(-0.05);
    expect(Math.max(...starts)).toBeLessThanOrEqual(0.05);
    // Uniform on ±0.05: mean 0 (sd of the mean of 800 draws ≈ 0.001), variance 0.1²/12.
    const mean = starts.reduce((sum, value) => sum + value, 0) / starts.length;
    const variance = starts.reduce((sum, value) => sum + (value - mean) ** 2, 0) / starts.length;
    expect(Math.abs(mean)).toBeLessThan(0.004);
    expect(variance).toBeCloseTo(0.01 / 12, 4);
  });

  it('earns 1 a step and is truncated at 500 steps, or at its own limit', () => {
    for (const limit of [500, 37]) {
      const env = new CartPole({ maxEpisodeSteps: limit });
      let { observation } = env.reset({ seed: 1 });
      let total = 0;
      let steps = 0;
      for (;;) {
        const step = env.step(balance(observation));
        total += step.reward;
        steps += 1;
        observation = step.observation;
        expect(step.terminated).toBe(false);
        if (step.truncated) break;
      }
      expect(steps).toBe(limit);
      expect(total).toBe(limit);
      expect(() => env.step(0)).toThrowTdhookError('E_CONTEXT', /after the episode ended.*Call reset/);
    }
  });

  it('starts from a given state and terminates past ±12°', () => {
    const env = new CartPole();
    const start = { cart_position: 0.5, cart_velocity: 0, pole_angle: 0.2, pole_angular_velocity: 1 };
    const { observation, info } = env.reset({ options: start });
    expect(Array.from(observation)).toEqual([0.5, 0, Math.fround(0.2), 1]);
    expect(info).toEqual({});
    const step = env.step(1);
    expect(step).toMatchObject({ reward: 1, terminated: true, truncated: false });
    expect(env.state[2]).toBeCloseTo(0.22, 12); // θ + τ·θ̇
  });

  it('rejects bad actions, steps without an episode and bad reset options, changing nothing', () => {
    const env = new CartPole();
    expect(() => env.step(0)).toThrowTdhookError('E_CONTEXT', /before reset/);
    env.reset({ seed: 0 });
    const state = env.state;
    for (const action of [2, -1, 0.5, Number.NaN]) {
      expect(() => env.step(action)).toThrowTdhookError('E_INVALID_VALUE', /0 = push left, 1 = push right/);
    }
    expect(() => env.reset({ seed: -1 })).toThrowTdhookError('E_INVALID_VALUE', /seed/);
    expect(() => env.reset({ seed: 1.5 })).toThrowTdhookError('E_INVALID_VALUE', /seed/);
    expect(() => env.reset({ options: { pole_angle: 0.1 } })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /lack cart_position/,
    );
    expect(() => env.reset({ options: { angle: 0.1 } })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /no start option "angle"/,
    );
    expect(() =>
      env.reset({
        options: { cart_position: 0, cart_velocity: 0, pole_angle: Number.NaN, pole_angular_velocity: 0 },
      }),
    ).toThrowTdhookError('E_INVALID_VALUE', /finite/);
    expect(() => env.reset({ sead: 1 } as never)).toThrowTdhookError('E_INVALID_VALUE', /no option "sead"/);
    expect(() => new CartPole({ maxEpisodeSteps: 0 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /maxEpisodeSteps/,
    );
    expect(env.state).toEqual(state);
    expect(env.step(1).reward).toBe(1); // the episode still runs
  });

  it('renders the track, the cart and the leaning pole', () => {
    const env = new CartPole({ renderWidth: 300 });
    env.reset({ options: { cart_position: 0, cart_velocity: 0, pole_angle: 0.2, pole_angular_velocity: 0 } });
    const image = env.render();
    expect([image.width, image.height, image.data.length]).toEqual([300, 200, 300 * 200 * 4]);
    // Half of Gymnasium's 600 × 400: the track 50 px above the bottom, the cart 25 × 15 in the middle.
    expect(pixel(image, 5, 149)).toEqual([0, 0, 0, 255]); // the 1 px track line
    expect(pixel(image, 5, 140)).toEqual([255, 255, 255, 255]); // background
    expect(pixel(image, 140, 154)).toEqual([0, 0, 0, 255]); // cart body below the axle
    // The pole (62.5 px long) leans right by 0.2 rad: its upper end is right of the axle.
    const axleY = 150 - 15 / 4;
    const tip = [150 + 55 * Math.sin(0.2), axleY - 55 * Math.cos(0.2)].map(Math.round) as [number, number];
    expect(pixel(image, ...tip)).toEqual([202, 152, 101, 255]);
    expect(pixel(image, 150 - (tip[0] - 150), tip[1])).toEqual([255, 255, 255, 255]);
  });
});
