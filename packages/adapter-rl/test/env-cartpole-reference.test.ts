import { readFileSync } from 'node:fs';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { CartPole, type CartPoleState } from '../src/index.js';
import { cartPoleStep } from '../src/env/cartpole-physics.js';

// Trajectories from scripts/cartpole_reference.py: Gymnasium's CartPole-v1 equations in numpy, float64 state,
// float32 observations. Measured: the float64 states match to the last bit (max relative difference 0) in
// every trajectory, the 500-step one included, and so do the float32 observations.
interface ReferenceTrajectory {
  readonly name: string;
  readonly start: CartPoleState;
  readonly actions: readonly number[];
  readonly states: readonly CartPoleState[];
  readonly observations: readonly (readonly number[])[];
  readonly rewards: readonly number[];
  readonly terminated: boolean;
  readonly truncated: boolean;
  readonly endedBy: 'angle' | 'position' | 'truncation';
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/cartpole-reference.json', import.meta.url), 'utf8'),
) as { readonly trajectories: readonly ReferenceTrajectory[] };

function relativeDifference(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
}

describe('CartPole against the numpy reference', () => {
  it('covers termination by angle, by position and truncation at 500', () => {
    const endings = fixture.trajectories.map((trajectory) => trajectory.endedBy);
    expect(endings).toEqual(expect.arrayContaining(['angle', 'position', 'truncation']));
  });

  for (const trajectory of fixture.trajectories) {
    it(`replays "${trajectory.name}" (${trajectory.actions.length} steps, ended by ${trajectory.endedBy})`, () => {
      const env = new CartPole();
      const [cart_position, cart_velocity, pole_angle, pole_angular_velocity] = trajectory.start;
      const first = env.reset({
        options: { cart_position, cart_velocity, pole_angle, pole_angular_velocity },
      });
      expect(Array.from(first.observation)).toEqual(trajectory.start.map((value) => Math.fround(value)));
      let worst = 0;
      trajectory.actions.forEach((action, t) => {
        const step = env.step(action);
        const last = t === trajectory.actions.length - 1;
        const expected = trajectory.states[t] ?? [];
        env.state.forEach((value, i) => {
          worst = Math.max(worst, relativeDifference(value, expected[i] ?? NaN));
        });
        // float32 observations: the same rounding of the same float64 numbers, so exactly equal.
        expect(Array.from(step.observation)).toEqual(trajectory.observations[t]);
        expect(step.reward).toBe(trajectory.rewards[t]);
        expect(step.terminated).toBe(last ? trajectory.terminated : false);
        expect(step.truncated).toBe(last ? trajectory.truncated : false);
      });
      expect(worst).toBe(0);
      expect(() => env.step(0)).toThrowTdhookError('E_CONTEXT', /call reset/i);
    });
  }

  it('the pure cartPoleStep replays every trajectory bit for bit', () => {
    for (const trajectory of fixture.trajectories) {
      let state = trajectory.start;
      for (const [t, action] of trajectory.actions.entries()) {
        const next = cartPoleStep(state, action);
        expect(next.state).toEqual(trajectory.states[t]);
        expect(next.terminated).toBe(t === trajectory.actions.length - 1 && trajectory.terminated);
        state = next.state;
      }
    }
  });
});
