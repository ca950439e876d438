import { describe, expect, it } from 'vitest';
import { loadReferenceResults } from '@tdhook/testing';

import { integratedGradients, integrationMethods, quadrature, type IntegrationMethod } from '../src/index.js';

const closeTo = (actual: readonly number[], expected: readonly number[], tolerance: number): void => {
  expect(actual).toHaveLength(expected.length);
  const worst = Math.max(...actual.map((value, index) => Math.abs(value - (expected[index] as number))));
  expect(worst).toBeLessThanOrEqual(tolerance);
};

describe('integrated gradients quadrature', () => {
  it.each(['riemann_trapezoid', 'gausslegendre'] as const)('%s (n = 50) equals captum', (method) => {
    const reference = loadReferenceResults('mlp').igQuadrature[method];
    if (reference === undefined) throw new Error(`no reference quadrature for ${method}`);
    const { alphas, weights } = quadrature(method, reference.n_steps);
    // captum's Riemann points come from float32 torch.linspace: within one float32 ulp of the exact ones.
    closeTo(alphas, reference.alphas, method === 'gausslegendre' ? 1e-14 : 6e-8);
    closeTo(weights, reference.step_sizes, 1e-14);
    expect(weights.reduce((sum, w) => sum + w, 0)).toBeCloseTo(reference.sum_step_sizes, 14);
  });

  it('matches the known small-n rules', () => {
    const cases: [IntegrationMethod, number, number[], number[]][] = [
      ['riemann_left', 4, [0, 0.25, 0.5, 0.75], [0.25, 0.25, 0.25, 0.25]],
      ['riemann_right', 4, [0.25, 0.5, 0.75, 1], [0.25, 0.25, 0.25, 0.25]],
      ['riemann_middle', 2, [0.25, 0.75], [0.5, 0.5]],
      ['riemann_trapezoid', 2, [0, 1], [0.25, 0.25]],
      ['riemann_trapezoid', 3, [0, 0.5, 1], [1 / 6, 1 / 3, 1 / 6]],
      ['gausslegendre', 1, [0.5], [1]],
      ['gausslegendre', 2, [0.5 - 0.5 / Math.sqrt(3), 0.5 + 0.5 / Math.sqrt(3)], [0.5, 0.5]],
      [
        'gausslegendre',
        3,
        [0.5 - 0.5 * Math.sqrt(0.6), 0.5, 0.5 + 0.5 * Math.sqrt(0.6)],
        [5 / 18, 8 / 18, 5 / 18],
      ],
    ];
    for (const [method, steps, alphas, weights] of cases) {
      const rule = quadrature(method, steps);
      closeTo(rule.alphas, alphas, 1e-15);
      closeTo(rule.weights, weights, 1e-15);
    }
  });

  it.each([10, 50, 100])(
    'Gauss–Legendre with %i points integrates polynomials of degree < 2n exactly',
    (n) => {
      const { alphas, weights } = quadrature('gausslegendre', n);
      for (const degree of [0, 1, 5, 2 * n - 1]) {
        const integral = alphas.reduce(
          (sum, alpha, index) => sum + (weights[index] as number) * alpha ** degree,
          0,
        );
        expect(Math.abs(integral - 1 / (degree + 1))).toBeLessThan(1e-14);
      }
      expect(alphas.every((alpha, index) => index === 0 || alpha > (alphas[index - 1] as number))).toBe(true);
    },
  );

  it.each([10, 50, 100])('the Riemann rules with %i points have captum’s weights', (n) => {
    for (const method of ['riemann_left', 'riemann_right', 'riemann_middle'] as const) {
      expect(quadrature(method, n).weights.reduce((sum, w) => sum + w, 0)).toBeCloseTo(1, 14);
    }
    expect(quadrature('riemann_trapezoid', n).weights.reduce((sum, w) => sum + w, 0)).toBeCloseTo(
      1 - 1 / n,
      14,
    );
  });

  it('rejects bad steps and methods at configure time', () => {
    for (const method of integrationMethods.filter((name) => name !== 'gausslegendre')) {
      for (const steps of [0, -1, 1]) {
        expect(() => integratedGradients({ method, steps })).toThrowTdhookError(
          'E_INVALID_VALUE',
          'at least 2',
        );
      }
      expect(() => integratedGradients({ method, steps: 2 })).not.toThrow();
    }
    for (const steps of [0, -1]) {
      expect(() => integratedGradients({ method: 'gausslegendre', steps })).toThrowTdhookError(
        'E_INVALID_VALUE',
        'at least 1',
      );
    }
    expect(() => integratedGradients({ method: 'gausslegendre', steps: 1 })).not.toThrow();
    for (const steps of [1.5, true, '50']) {
      expect(() => integratedGradients({ steps: steps as number })).toThrowTdhookError(
        'E_INVALID_VALUE',
        'must be an integer',
      );
    }
    expect(() => integratedGradients({ method: 'simpson' as IntegrationMethod })).toThrowTdhookError(
      'E_INVALID_VALUE',
      'Invalid integral approximation method name',
    );
  });
});
