import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';

import {
  caPca,
  localKnn,
  localPca,
  twoNn,
  twoNnEstimator,
  localKnnEstimator,
  localPcaEstimator,
  caPcaEstimator,
} from '../src/index.js';
import {
  ErrorTable,
  flatIndices,
  flatValues,
  inputTensor,
  probingReference,
  type ArraySpec,
} from './dimension-reference-data.js';
import { must } from './dimension-sample-data.js';

interface Result {
  readonly id: string;
  readonly dataset: string;
  readonly estimator: string;
  readonly params: {
    k?: number | 'auto';
    eps?: number;
    criterion?: 'maxgap' | 'ratio';
    alpha?: number;
    return_xy?: boolean;
  };
  readonly dimension: ArraySpec;
  readonly x?: ArraySpec;
  readonly y?: ArraySpec;
  readonly n_valid?: ArraySpec;
  readonly k_resolved?: number;
  readonly nan_indices?: unknown[];
  readonly fragile_indices?: unknown[];
}

interface ErrorCase {
  readonly description: string;
  readonly estimator: string;
  readonly params: Record<string, unknown>;
  readonly stage: 'construct' | 'call';
  readonly input?: ArraySpec;
  readonly match?: string;
  readonly expect?: 'no_error';
  readonly output?: ArraySpec;
}

const reference = probingReference('dimension-estimation.json');
const datasets = reference.datasets as Record<string, { x: ArraySpec }>;
const results = reference.results as Result[];
const errors = reference.errors as ErrorCase[];
const table = new ErrorTable();

afterAll(() => {
  console.log(table.format(`dimension-estimation.json (${tf.getBackend()})`));
});

function run(result: Result, x: tf.Tensor): tf.Tensor {
  const { k, eps, criterion, alpha } = result.params;
  switch (result.estimator) {
    case 'LocalKnnDimensionEstimator':
      return localKnn(x, { k: k ?? 'auto', eps: eps ?? 1e-5 });
    case 'LocalPcaDimensionEstimator':
      return localPca(x, {
        k: k ?? 'auto',
        eps: eps ?? 1e-5,
        criterion: criterion ?? 'maxgap',
        alpha: alpha ?? 0.05,
      });
    default:
      return caPca(x, { k: k ?? 'auto', eps: eps ?? 1e-5 });
  }
}

describe('conformance: dimension-estimation.json', () => {
  const twoNnResults = results.filter((r) => r.estimator === 'TwoNnDimensionEstimator');
  const perPoint = results.filter((r) => r.estimator !== 'TwoNnDimensionEstimator');

  it.each(twoNnResults.map((r) => [r.id, r] as const))(
    '%s: dimension rtol 1e-6, x/y atol 1e-6, NaN padding exact',
    (_id, result) => {
      const x = inputTensor(must(datasets[result.dataset]).x);
      const out = twoNn(x, { eps: result.params.eps ?? 1e-5, returnXY: true });
      try {
        const expected = flatValues(result.dimension);
        const actual = Array.from(out.dimension.dataSync());
        expect(out.dimension.shape).toEqual(result.dimension.shape);
        expected.forEach((value, i) => {
          const error = Math.abs((actual[i] as number) - value) / Math.abs(value === 0 ? 1 : value);
          table.record('TwoNN dimension (relative)', 'rtol 1e-6', error);
          if (value === 0) expect(actual[i]).toBe(0);
          expect(error).toBeLessThanOrEqual(1e-6);
        });
        for (const [name, spec, tensor] of [
          ['x', must(result.x), must(out.x)],
          ['y', must(result.y), must(out.y)],
        ] as const) {
          expect(tensor.shape).toEqual(spec.shape);
          const want = flatValues(spec);
          const got = Array.from(tensor.dataSync());
          want.forEach((value, i) => {
            if (Number.isNaN(value)) {
              expect(got[i]).toBeNaN();
              return;
            }
            const error = Math.abs((got[i] as number) - value);
            table.record(`TwoNN ${name} (absolute)`, 'atol 1e-6', error);
            expect(error).toBeLessThanOrEqual(1e-6);
          });
        }
      } finally {
        x.dispose();
        out.dimension.dispose();
        out.x?.dispose();
        out.y?.dispose();
      }
    },
  );

  it.each(perPoint.map((r) => [r.id, r] as const))(
    '%s: per-point values, NaN positions exact, fragile points skipped',
    (_id, result) => {
      const x = inputTensor(must(datasets[result.dataset]).x);
      const out = run(result, x);
      try {
        expect(out.shape).toEqual(result.dimension.shape);
        const want = flatValues(result.dimension);
        const got = Array.from(out.dataSync());
        const fragile = flatIndices(result.fragile_indices ?? [], result.dimension.shape);
        const nan = flatIndices(result.nan_indices ?? [], result.dimension.shape);
        const knn = result.estimator === 'LocalKnnDimensionEstimator';
        const group = knn
          ? 'LocalKnn (relative)'
          : result.estimator === 'LocalPcaDimensionEstimator'
            ? 'LocalPca (integers, abs)'
            : 'CaPca (integers, abs)';
        let compared = 0;
        let worst = 0;
        let fragileDiffering = 0;
        want.forEach((value, i) => {
          expect(Number.isNaN(got[i] as number), `NaN at ${i}`).toBe(nan.has(i));
          if (fragile.has(i)) {
            // Not asserted (the README allows a float32 port to differ there); counted for the report.
            const differs = knn
              ? Math.abs((got[i] as number) - value) > 1e-6 * Math.abs(value)
              : got[i] !== value;
            if (differs) fragileDiffering += 1;
            return;
          }
          if (Number.isNaN(value)) return;
          compared += 1;
          const error = knn
            ? Math.abs((got[i] as number) - value) / Math.abs(value)
            : Math.abs((got[i] as number) - value);
          worst = Math.max(worst, error);
          if (knn) expect(error, `point ${i}`).toBeLessThanOrEqual(1e-6);
          else expect(got[i], `point ${i}`).toBe(value);
        });
        table.record(group, knn ? 'rtol 1e-6' : 'exact', worst, compared, fragile.size);
        table.record(
          `${group}: fragile points that differ (count)`,
          'not asserted',
          fragileDiffering,
          fragile.size,
        );
      } finally {
        x.dispose();
        out.dispose();
      }
    },
  );

  it.each(errors.map((e) => [`${e.estimator}: ${e.description}`, e] as const))(
    'error case %s',
    (_name, errorCase) => {
      const { k, criterion, eps } = errorCase.params as {
        k?: number | 'auto';
        criterion?: 'maxgap' | 'ratio';
        eps?: number;
      };
      const factories: Record<string, () => { run: (x: tf.Tensor) => tf.Tensor | { dimension: tf.Tensor } }> =
        {
          TwoNnDimensionEstimator: () => {
            twoNnEstimator({ ...(eps === undefined ? {} : { eps }) });
            return { run: (x) => twoNn(x) };
          },
          LocalKnnDimensionEstimator: () => {
            localKnnEstimator({ ...(k === undefined ? {} : { k }) });
            return { run: (x) => localKnn(x, { ...(k === undefined ? {} : { k }) }) };
          },
          LocalPcaDimensionEstimator: () => {
            localPcaEstimator({
              ...(k === undefined ? {} : { k }),
              ...(criterion === undefined ? {} : { criterion }),
            });
            return {
              run: (x) =>
                localPca(x, {
                  ...(k === undefined ? {} : { k }),
                  ...(criterion === undefined ? {} : { criterion }),
                }),
            };
          },
          CaPcaDimensionEstimator: () => {
            caPcaEstimator({ ...(k === undefined ? {} : { k }) });
            return { run: (x) => caPca(x, { ...(k === undefined ? {} : { k }) }) };
          },
        };
      const factory = must(factories[errorCase.estimator]);
      if (errorCase.stage === 'construct') {
        expect(factory).toThrowTdhookError('E_INVALID_VALUE', errorCase.match);
        return;
      }
      const estimator = factory();
      const x = inputTensor(must(errorCase.input));
      try {
        if (errorCase.expect === 'no_error') {
          const out = estimator.run(x) as tf.Tensor;
          expect(out.shape).toEqual(must(errorCase.output).shape);
          expect(Array.from(out.dataSync()).every(Number.isNaN)).toBe(true);
          out.dispose();
          return;
        }
        const before = tf.memory().numTensors;
        expect(() => estimator.run(x)).toThrowTdhookError(
          /At least \d+k?\+?\d* points|At least 3 points|At least 2k\+1|At least k\+/.test(
            errorCase.match ?? '',
          ) && !must(errorCase.match).includes('valid')
            ? 'E_SHAPE_MISMATCH'
            : 'E_INVALID_VALUE',
          errorCase.match,
        );
        expect(tf.memory().numTensors).toBe(before);
      } finally {
        x.dispose();
      }
    },
  );
});
