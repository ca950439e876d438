import * as tf from '@tensorflow/tfjs-core';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { BilinearProbe, BilinearProbeManager, Probe, ProbeManager } from '../src/index.js';
import { accuracyOf, scalarOf, ZeroEstimator, ZeroPairEstimator } from './probes-models.js';

const metrics = (predictions: tf.Tensor, labels: tf.Tensor | undefined) => ({
  acc: accuracyOf(predictions, labels),
});

describe('Probe', () => {
  it("scenario 130: an invalid step type raises \"step_type must be 'fit' or 'predict'\" before anything runs", () => {
    const estimator = new ZeroEstimator();
    const probe = new Probe(estimator, { predictCallback: () => undefined });
    const data = tf.ones([2, 3]);
    const labels = tf.zeros([2], 'int32');
    expect(() => probe.step(data, { labels, stepType: 'invalid' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /step_type must be 'fit' or 'predict', got "invalid"/,
    );
    expect(() => probe.step(data, { labels })).toThrowTdhookError('E_INVALID_VALUE', /step_type must be/);
    expect(estimator.fits).toEqual([]);
    data.dispose();
    labels.dispose();
  });

  it('scenario 130: the fit and predict callbacks receive predictions (4,) and labels (4,) for 3-D data flattened to 2-D', () => {
    const estimator = new ZeroEstimator();
    const fitSeen: number[][][] = [];
    const predictSeen: number[][][] = [];
    const probe = new Probe(estimator, {
      fitCallback: (predictions, labels) =>
        fitSeen.push([[...predictions.shape], [...(labels?.shape ?? [])]]),
      predictCallback: (predictions, labels) =>
        predictSeen.push([[...predictions.shape], [...(labels?.shape ?? [])]]),
    });
    const data = tf.ones([4, 2, 3]);
    const labels = tf.zeros([4], 'int32');
    probe.step(data, { labels, stepType: 'fit' });
    probe.step(data, { labels, stepType: 'predict' });
    expect(fitSeen).toEqual([[[4], [4]]]);
    expect(predictSeen).toEqual([[[4], [4]]]);
    expect(estimator.fits).toEqual([[4, 6]]); // flattened to rows
    expect(() => probe.step(data, { stepType: 'fit' })).toThrowTdhookError('E_INVALID_VALUE', /needs labels/);
    data.dispose();
    labels.dispose();
  });
});

describe('ProbeManager', () => {
  it('scenario 131: a predict step returns its result TensorDict; a duplicate raises "Result for linear1_forward already exists"; resets', () => {
    using manager = new ProbeManager(() => new ZeroEstimator(), metrics);
    const probe = manager.probeFactory('linear1', 'forward');
    const data = tf.randomNormal([4, 2]);
    const labels = tf.zeros([4], 'int32');

    const result = probe.step(data, { labels, stepType: 'predict' }) as { getTensor(key: string): tf.Tensor };
    expect(scalarOf(result.getTensor('acc'))).toBe(1);
    expect(() => probe.step(data, { labels, stepType: 'predict' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Result for linear1_forward already exists in phase 'predict'/,
    );
    expect(scalarOf(manager.results.getTensor(['predict', 'linear1_forward', 'acc']))).toBe(1);

    manager.resetResults();
    probe.step(data, { labels, stepType: 'fit' });
    expect(() => probe.step(data, { labels, stepType: 'fit' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Result for linear1_forward already exists/,
    );
    expect(manager.probeFactory('linear1', 'forward')).toBe(probe); // cached
    expect([...manager.estimators.keys()]).toEqual(['linear1_forward']);
    expect(scalarOf(manager.results.getTensor(['fit', 'linear1_forward', 'acc']))).toBe(1);
    expect(manager.results.has('predict')).toBe(false);

    manager.resetEstimators();
    manager.resetResults();
    expect(manager.estimators.size).toBe(0);
    expect(manager.results.keys()).toEqual([]);
    expect(manager.probeFactory('linear1', 'forward')).not.toBe(probe); // a new probe after the reset
    data.dispose();
    labels.dispose();
  });

  it('scenario 131: computeMetrics returning something other than a dict raises (TypeError in the original)', () => {
    for (const bad of [1.0, 'x', null, [1]]) {
      using manager = new ProbeManager(
        () => new ZeroEstimator(),
        () => bad as never,
      );
      const data = tf.ones([2, 1]);
      expect(() =>
        manager.probeFactory('linear1', 'forward').step(data, { labels: data, stepType: 'predict' }),
      ).toThrowTdhookError('E_INVALID_VALUE', /computeMetrics must return a dict/);
      expect(manager.results.keys()).toEqual([]);
      data.dispose();
    }
    // A tensor is taken over (not leaked) even when it is the wrong answer.
    using manager = new ProbeManager(
      () => new ZeroEstimator(),
      () => tf.scalar(1) as never,
    );
    const data = tf.ones([2, 1]);
    expect(() => manager.probeFactory('a', 'forward').step(data, { stepType: 'predict' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /must return a dict/,
    );
    data.dispose();
  });

  it('overwriteResults replaces a result; tensor metrics are kept by the manager', () => {
    using manager = new ProbeManager(
      () => new ZeroEstimator(),
      (predictions, labels) => ({
        acc: accuracyOf(predictions, labels),
        rows: tf.scalar(predictions.shape[0]),
      }),
      { overwriteResults: true },
    );
    const probe = manager.probeFactory('fc', 'forward-pre');
    const labels = tf.tensor1d([0, 1], 'int32');
    const data = tf.ones([2, 3]);
    probe.step(data, { labels, stepType: 'predict' });
    probe.step(data, { labels, stepType: 'predict' });
    expect(scalarOf(manager.results.getTensor(['predict', 'fc_forward-pre', 'acc']))).toBe(0.5);
    expect(scalarOf(manager.results.getTensor(['predict', 'fc_forward-pre', 'rows']))).toBe(2);
    data.dispose();
    labels.dispose();
  });
});

describe('BilinearProbeManager', () => {
  it('scenario 132: keyPattern is the sorted, escaped keys anchored at the end', () => {
    const factory = () => new ZeroPairEstimator();
    const pattern = (pairs: [string, string][]): string =>
      new BilinearProbeManager(pairs, factory, metrics).keyPattern;
    expect(
      pattern([
        ['linear1', 'linear2'],
        ['linear2', 'linear3'],
      ]),
    ).toBe('linear1$|linear2$|linear3$');
    expect(pattern([['a', 'b']])).toBe('a$|b$');
    expect(pattern([['x', 'x']])).toBe('x$');
    expect(pattern([['blocks.0.hook_resid_post', 'b']])).toBe('b$|blocks\\.0\\.hook_resid_post$');
    expect(() => new BilinearProbeManager([['a']] as never, factory, metrics)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /pairs must be a list of \[h1, h2\]/,
    );
  });

  it('scenario 133: h1 == h2 runs at once, for fit and predict', () => {
    const estimator = new ZeroPairEstimator();
    const seen: string[] = [];
    const probe = new BilinearProbe('x', 'x', estimator, {
      predictCallback: () => seen.push('predict'),
      fitCallback: () => seen.push('fit'),
    });
    const data = tf.randomNormal([4, 20]);
    const labels = tf.zeros([4], 'int32');
    probe.step(data, { key: 'x', labels, stepType: 'fit' });
    probe.step(data, { key: 'x', labels, stepType: 'predict' });
    expect(estimator.calls).toEqual([
      ['fit', [4, 20], [4, 20]],
      ['predict', [4, 20], [4, 20]], // the fit callback's predictions
      ['predict', [4, 20], [4, 20]],
    ]);
    expect(seen).toEqual(['fit', 'predict']);
    expect(() => probe.step(data, { key: 'x', labels, stepType: 'invalid' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /step_type must be 'fit' or 'predict'/,
    );
    data.dispose();
    labels.dispose();
  });

  it('scenario 133: a cross pair waits for the second key, then runs once with the matching shapes; unrelated keys are ignored', () => {
    const estimator = new ZeroPairEstimator();
    const probe = new BilinearProbe('linear1', 'linear2', estimator, { predictCallback: () => undefined });
    const h1 = tf.randomNormal([4, 20]);
    const h2 = tf.randomNormal([4, 7]);
    const labels = tf.zeros([4], 'int32');
    probe.step(h1, { key: 'other', labels, stepType: 'predict' });
    expect(probe.isWaiting).toBe(false);
    probe.step(h1, { key: 'linear1', labels, stepType: 'predict' });
    expect(estimator.calls).toEqual([]);
    expect(probe.isWaiting).toBe(true);
    probe.step(h2, { key: 'linear2', labels, stepType: 'predict' });
    expect(estimator.calls).toEqual([['predict', [4, 20], [4, 7]]]);
    expect(probe.isWaiting).toBe(false);
    expect(probe.afterAll()).toEqual([]);
    h1.dispose();
    h2.dispose();
    labels.dispose();
  });

  it('scenario 133: isWaiting and afterAll report the pending pair, also when only h2 arrived', () => {
    const probe = new BilinearProbe('linear1', 'linear2', new ZeroPairEstimator(), {
      predictCallback: () => undefined,
    });
    const data = tf.randomNormal([3, 5]);
    const labels = tf.zeros([3], 'int32');
    probe.step(data, { key: 'linear1', labels, stepType: 'predict' });
    expect(probe.isWaiting).toBe(true);
    expect(probe.afterAll()).toEqual([['linear1', 'linear2']]);
    expect(probe.isWaiting).toBe(false);
    probe.beforeAll();
    probe.step(data, { key: 'linear2', labels, stepType: 'predict' });
    expect(probe.afterAll()).toEqual([['linear1', 'linear2']]);
    probe.step(data, { key: 'linear2', labels, stepType: 'predict' });
    probe.dispose(); // frees the kept activation (the leak guard checks)
    data.dispose();
    labels.dispose();
  });

  it('scenario 134: a duplicate pair probe raises "already exists"; duplicate results raise; the resets clear probes, key maps and results', () => {
    const manager = new BilinearProbeManager(
      [
        ['a', 'a'],
        ['a', 'b'],
      ],
      () => new ZeroPairEstimator(),
      (_predictions, labels) => ({ n: labels?.shape[0] ?? 0 }),
    );
    manager.probeFactory('a', 'forward');
    manager.probeFactory('a', 'forward'); // the cached path
    expect([...manager.probes.keys()]).toEqual(['a_a_forward', 'a_b_forward']);
    expect(() => manager.createPairProbe('a', 'a', 'forward')).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Probe a_a_forward already exists/,
    );

    const dispatcher = manager.probeFactory('a', 'forward-pre');
    const data = tf.randomNormal([3, 5]);
    const labels = tf.zeros([3], 'int32');
    dispatcher.step(data, { labels, stepType: 'predict' });
    expect(scalarOf(manager.results.getTensor(['predict', 'a_a_forward-pre', 'n']))).toBe(3);
    expect(manager.isWaiting).toBe(true); // a_b waits for b
    expect(() => dispatcher.step(data, { labels, stepType: 'predict' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Result for a_a_forward-pre already exists/,
    );
    manager.resetResults();
    dispatcher.step(data, { labels, stepType: 'fit' });
    expect(() => dispatcher.step(data, { labels, stepType: 'fit' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Result for a_a_forward-pre already exists/,
    );

    manager.resetEstimators();
    manager.resetResults();
    expect(manager.estimators.size).toBe(0);
    expect(manager.probes.size).toBe(0);
    expect(manager.results.keys()).toEqual([]);
    expect(manager.isWaiting).toBe(false);
    manager.probeFactory('a', 'forward'); // the key map was cleared too: probes are made again
    expect(manager.probes.size).toBe(2);
    manager.dispose();
    data.dispose();
    labels.dispose();
  });

  it('scenario 135: afterAll raises "still waiting" when a pair is incomplete and succeeds when it is complete', () => {
    using manager = new BilinearProbeManager(
      [['linear1', 'linear2']],
      () => new ZeroPairEstimator(),
      () => ({}),
    );
    manager.probeFactory('linear1', 'forward');
    manager.beforeAll();
    const data = tf.randomNormal([4, 20]);
    const labels = tf.zeros([4], 'int32');
    const probe = manager.probes.get('linear1_linear2_forward');
    probe?.step(data, { key: 'linear1', labels, stepType: 'predict' });
    expect(() => {
      manager.afterAll();
    }).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Bilinear probes still waiting on keys: \["linear1","linear2"\]. Unresolved pairs: \[\["linear1","linear2"\]\]/,
    );
    manager.beforeAll();
    manager.probeFactory('linear1', 'forward').step(data, { labels, stepType: 'predict' });
    manager.probeFactory('linear2', 'forward').step(data, { labels, stepType: 'predict' });
    expect(() => {
      manager.afterAll();
    }).not.toThrow();
    data.dispose();
    labels.dispose();
  });
});
