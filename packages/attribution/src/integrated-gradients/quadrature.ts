import { InvalidValueError } from '@tdhook/core';

/**
 * How the path integral of integrated gradients is approximated (captum's `method`): four Riemann sums
 * and Gauss–Legendre quadrature (the default, exact for polynomials of degree < 2·steps).
 *
 * @example
 * const method: IntegrationMethod = 'gausslegendre';
 */
export type IntegrationMethod =
  'riemann_left' | 'riemann_right' | 'riemann_middle' | 'riemann_trapezoid' | 'gausslegendre';

/**
 * Every {@link IntegrationMethod}, in the order of the docs.
 *
 * @example
 * for (const method of integrationMethods) console.log(method, quadrature(method, 10).alphas);
 */
export const integrationMethods: readonly IntegrationMethod[] = /* @__PURE__ */ Object.freeze([
  'riemann_left',
  'riemann_right',
  'riemann_middle',
  'riemann_trapezoid',
  'gausslegendre',
]);

/**
 * The points `α` on the path (`b + α(x − b)`, in `[0, 1]`) and their weights, in float64.
 *
 * @example
 * const { alphas, weights } = quadrature('riemann_trapezoid', 3); // alphas [0, 0.5, 1], weights [1/6, 1/3, 1/6]
 */
export interface Quadrature {
  readonly alphas: readonly number[];
  readonly weights: readonly number[];
}

/**
 * Checks a step count and method as captum does: a whole number (booleans refused), at least 2 for the
 * Riemann sums and 1 for Gauss–Legendre, a known method. Throws {@link InvalidValueError}.
 *
 * @example
 * checkQuadrature('riemann_left', 1, 'attribution/integrated-gradients'); // throws: at least 2 steps
 */
export function checkQuadrature(method: unknown, steps: unknown, where: string): void {
  if (typeof method !== 'string' || !(integrationMethods as readonly string[]).includes(method)) {
    throw new InvalidValueError({
      what: `Invalid integral approximation method name: ${JSON.stringify(method)}`,
      where,
      fix: `Use one of ${integrationMethods.map((name) => `'${name}'`).join(', ')}.`,
    });
  }
  if (typeof steps !== 'number' || !Number.isSafeInteger(steps)) {
    throw new InvalidValueError({
      what: `steps must be an integer for ${method}, got ${String(steps)}`,
      where,
      fix: 'Give a whole number of steps, e.g. 50.',
    });
  }
  const least = method === 'gausslegendre' ? 1 : 2;
  if (steps < least) {
    throw new InvalidValueError({
      what: `steps must be at least ${least} for ${method}; got ${steps}`,
      where,
      fix: `Use ${least} or more steps (50 is usual).`,
    });
  }
}

/**
 * The step points and weights of `method` with `steps` points, as captum 0.7 defines them
 * (`captum.attr._utils.approximation_methods`):
 * - `riemann_left` α = i/n, `riemann_right` α = (i+1)/n, `riemann_middle` α = (i+½)/n, each weight 1/n;
 * - `riemann_trapezoid` α = i/(n−1) with weights `[1/2n, 1/n, …, 1/n, 1/2n]`: captum's weights, which sum to
 *   1 − 1/n rather than 1 (attributions come out about 1/n short of f(x) − f(b));
 * - `gausslegendre`: the Legendre roots mapped to `[0, 1]` (α = (1+xᵢ)/2) with weights wᵢ/2.
 *
 * Computed in float64. captum builds the Riemann points with float32 `torch.linspace`; these differ from
 * them by at most one float32 ulp (6e-8), and are rounded to float32 anyway once on the tensors.
 *
 * @example
 * quadrature('gausslegendre', 2); // alphas [0.2113…, 0.7887…], weights [0.5, 0.5]
 */
export function quadrature(method: IntegrationMethod, steps: number): Quadrature {
  checkQuadrature(method, steps, 'quadrature');
  const n = steps;
  const index = Array.from({ length: n }, (_, i) => i);
  switch (method) {
    case 'riemann_left':
      return { alphas: index.map((i) => i / n), weights: index.map(() => 1 / n) };
    case 'riemann_right':
      return { alphas: index.map((i) => (i + 1) / n), weights: index.map(() => 1 / n) };
    case 'riemann_middle':
      return { alphas: index.map((i) => (i + 0.5) / n), weights: index.map(() => 1 / n) };
    case 'riemann_trapezoid':
      return {
        alphas: index.map((i) => i / (n - 1)),
        weights: index.map((i) => (i === 0 || i === n - 1 ? 1 / n / 2 : 1 / n)),
      };
    case 'gausslegendre': {
      const { nodes, weights } = gaussLegendre(n);
      return { alphas: nodes.map((x) => 0.5 * (1 + x)), weights: weights.map((w) => 0.5 * w) };
    }
  }
}

/** `P_n(x)` and `P_n'(x)` by the three-term recurrence. */
function legendre(n: number, x: number): { value: number; derivative: number } {
  let previous = 1;
  let value = x;
  for (let k = 2; k <= n; k++) {
    const next = ((2 * k - 1) * x * value - (k - 1) * previous) / k;
    previous = value;
    value = next;
  }
  if (n === 0) return { value: 1, derivative: 0 };
  return { value, derivative: (n * (x * value - previous)) / (x * x - 1) };
}

/**
 * Gauss–Legendre nodes on `[−1, 1]` (ascending, as numpy's `leggauss`) and weights `2/((1−x²)P_n'(x)²)`:
 * Newton iteration from Tricomi's approximation until the step stops shrinking, then symmetrised.
 */
function gaussLegendre(n: number): { nodes: number[]; weights: number[] } {
  const nodes = new Array<number>(n);
  const weights = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    // Root i+1 counted from +1 downwards; stored ascending.
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let iteration = 0; iteration < 100; iteration++) {
      const { value, derivative } = legendre(n, x);
      const step = value / derivative;
      x -= step;
      if (Math.abs(step) <= 1e-16 * Math.max(1, Math.abs(x))) break;
    }
    const { derivative } = legendre(n, x);
    nodes[n - 1 - i] = x;
    weights[n - 1 - i] = 2 / ((1 - x * x) * derivative * derivative);
  }
  // Exact symmetry x ↔ −x, as leggauss enforces.
  const symmetricNodes = nodes.map((x, i) => (x - (nodes[n - 1 - i] as number)) / 2);
  const symmetricWeights = weights.map((w, i) => (w + (weights[n - 1 - i] as number)) / 2);
  const total = symmetricWeights.reduce((sum, w) => sum + w, 0);
  return { nodes: symmetricNodes, weights: symmetricWeights.map((w) => (w * 2) / total) };
}
