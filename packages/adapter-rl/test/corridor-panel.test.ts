// The corridor's frozen panel, transition table and Q-network: values checked against the tutorial's MDP.
import * as tf from '@tensorflow/tfjs-core';
import { KeyedModel, resolveModule } from '@tdhook/core';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { Linear } from '../src/modules/linear.js';
import { corridorPanel, corridorTransitions, QNetwork } from '../src/index.js';
import { corridorPairs, encodeCorridorState } from '../src/corridor/encode.js';

describe('corridorPanel', () => {
  it('holds the 72 non-terminal states, agent-major, with the optimal action as target and concept', () => {
    using panel = corridorPanel();
    expect(panel.batchShape).toEqual([72]);
    const observation = panel.getTensor('observation');
    expect(observation.shape).toEqual([72, 2, 9]);
    // Row 0 is agent 0, goal 1; row 71 agent 8, goal 7 (each row skips agent = goal).
    expect(Array.from(panel.getTensor('agent').dataSync().slice(0, 9))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(Array.from(panel.getTensor('goal').dataSync().slice(0, 9))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 0]);
    const rows = observation.arraySync() as number[][][];
    expect(rows[0]).toEqual([
      [1, 0, 0, 0, 0, 0, 0, 0, 0],
      [0, 1, 0, 0, 0, 0, 0, 0, 0],
    ]);
    expect(rows[71]).toEqual([
      [0, 0, 0, 0, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 0, 0, 1, 0],
    ]);
    const target = Array.from(panel.getTensor('target_action').dataSync());
    const agents = panel.getTensor('agent').dataSync();
    const goals = panel.getTensor('goal').dataSync();
    expect(target).toEqual(Array.from(agents, (agent, row) => ((goals[row] ?? 0) > agent ? 1 : 0)));
    expect(Array.from(panel.getTensor('concept_labels').dataSync())).toEqual(target);
    expect(target.filter((action) => action === 1)).toHaveLength(36);
    expect(panel.getTensor('concept_labels').dtype).toBe('int32');
  });

  it('encodes one state as two one-hot planes and enumerates pairs', () => {
    expect(Array.from(encodeCorridorState(4, 1, 3))).toEqual([0, 1, 0, 0, 0, 0, 0, 1]);
    expect(corridorPairs(3)).toEqual([
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 2],
      [2, 0],
      [2, 1],
    ]);
    using small = corridorPanel(3);
    expect(small.batchShape).toEqual([6]);
  });

  it('refuses a corridor shorter than 2 cells', () => {
    expect(() => corridorPanel(1)).toThrowTdhookError('E_INVALID_VALUE', /length must be an integer ≥ 2/);
    expect(() => corridorTransitions(2.5)).toThrowTdhookError('E_INVALID_VALUE', /got 2.5/);
  });
});

describe('corridorTransitions', () => {
  it('gives both transitions of every state: clipped moves, 1.0 at the goal, −0.02 elsewhere', () => {
    using table = corridorTransitions();
    expect(table.batchShape).toEqual([72]);
    const next = table.getTensor(['next', 'observation']).arraySync() as number[][][][];
    const reward = table.getTensor(['next', 'reward']).arraySync() as number[][];
    const terminated = table.getTensor(['next', 'terminated']);
    expect(terminated.dtype).toBe('bool');
    const done = (terminated.arraySync() as number[][]).map((row) => row.map(Boolean));
    const pairs = corridorPairs(9);
    // Agent 0, goal 1 (row 0): left hits the wall (stays at 0), right reaches the goal.
    expect(next[0]?.[0]?.[0]).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(next[0]?.[1]?.[0]).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(reward[0]?.[0]).toBeCloseTo(-0.02, 6);
    expect(reward[0]?.[1]).toBe(1);
    expect(done[0]).toEqual([false, true]);
    pairs.forEach(([agent, goal], row) => {
      for (const action of [0, 1]) {
        const cell = Math.max(0, Math.min(8, agent + (action === 0 ? -1 : 1)));
        expect(next[row]?.[action]?.[0]?.indexOf(1)).toBe(cell);
        expect(next[row]?.[action]?.[1]?.indexOf(1)).toBe(goal);
        expect(done[row]?.[action]).toBe(cell === goal);
        expect(reward[row]?.[action]).toBeCloseTo(cell === goal ? 1 : -0.02, 6);
      }
    });
    expect(done.flat().filter(Boolean)).toHaveLength(16); // the goal is one step away: 8 pairs each way
  });
});

describe('QNetwork', () => {
  it('owns its keys and has the tutorial paths: features.2 is the second Linear', () => {
    const network = new QNetwork({ seed: 3 });
    try {
      expect(network.inKeys).toEqual(['observation']);
      expect(network.outKeys).toEqual({ action_value: 'action_value', action: 'action' });
      expect(resolveModule(network, 'features.0')).toBeInstanceOf(Linear);
      expect(resolveModule(network, 'features.2')).toBeInstanceOf(Linear);
      expect((resolveModule(network, 'features.2') as Linear).outputs).toBe(8);
      expect((resolveModule(network, 'features.1') as { typeName: string }).typeName).toBe('Lambda(relu)');
      expect((resolveModule(network, 'policy_head') as Linear).inputs).toBe(8);
      const keyed = new KeyedModel(network);
      expect(keyed.outKeys).toEqual([['action_value'], ['action']]);
    } finally {
      network.dispose();
    }
  });

  it('computes the affine/ReLU stack by hand, with the greedy action as int32, over any batch dims', () => {
    const network = new QNetwork({ seed: 3 });
    try {
      tf.tidy(() => {
        const x = tf.randomUniform([2, 3, 2, 9], 0, 1, 'float32', 5);
        const { action_value: values, action } = network.call(x);
        const linear = (path: string, input: tf.Tensor): tf.Tensor => {
          const layer = resolveModule(network, path) as Linear;
          return tf.add(tf.matMul(input as tf.Tensor2D, layer.kernel as tf.Tensor2D), layer.bias ?? 0);
        };
        const flat = tf.reshape(x, [6, 18]);
        const hidden = tf.relu(linear('features.2', tf.relu(linear('features.0', flat))));
        const expected = tf.reshape(linear('policy_head', hidden), [2, 3, 2]);
        expect(values).toBeCloseToTensor(expected, { rtol: 1e-5, atol: 1e-6 });
        expect(action.dtype).toBe('int32');
        expect(action.shape).toEqual([2, 3]);
        expect(Array.from(action.dataSync())).toEqual(Array.from(tf.argMax(expected, -1).dataSync()));
      });
    } finally {
      network.dispose();
    }
  });

  it('starts from the same weights for the same seed, other weights for another', () => {
    const [a, b, c] = [new QNetwork({ seed: 1 }), new QNetwork({ seed: 1 }), new QNetwork({ seed: 2 })];
    try {
      expect(a.policy_head.kernel).toBeCloseToTensor(b.policy_head.kernel, { rtol: 0, atol: 0 });
      expect(
        tf.tidy(() => tf.max(tf.abs(tf.sub(a.policy_head.kernel, c.policy_head.kernel))).dataSync()[0]),
      ).toBeGreaterThan(0.01);
    } finally {
      [a, b, c].forEach((network) => {
        network.dispose();
      });
    }
  });

  it('refuses bad options with a typed error', () => {
    expect(() => new QNetwork({ length: 1 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /length must be an integer ≥ 2/,
    );
    expect(() => new QNetwork({ hidden: [16] as unknown as [number, number] })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /hidden must list two layer widths/,
    );
    expect(() => new QNetwork({ seed: 0.5 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /seed must be an integer/,
    );
  });
});
