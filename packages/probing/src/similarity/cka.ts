import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';

import { medianSquaredDistance } from '../geometry/median-squared-distance.js';
import { sliceRows } from '../geometry/point-sets.js';
import { linearHsicTerms } from './linear-hsic.js';
import { readPairedPointSets } from './paired-point-sets.js';
import { rbfHsicTerms } from './rbf-hsic.js';

/**
 * Options of {@link cka}.
 *
 * @example
 * const options: CkaOptions = { kernel: 'rbf', sigmaFraction: 0.8, debiased: true };
 */
export interface CkaOptions {
  /** `'linear'` (the original's) or `'rbf'` (Kornblith et al. 2019). Default `'linear'`. */
  readonly kernel?: 'linear' | 'rbf';
  /** RBF only: one absolute bandwidth σ for both representations. Default: from `sigmaFraction`. */
  readonly sigma?: number;
  /**
   * RBF only, when `sigma` is not given: σ = sigmaFraction · √median(‖xᵢ − xⱼ‖²) per representation, the median
   * over all N² ordered pairs, the zero diagonal included (Kornblith et al.'s convention). Default 1.
   */
  readonly sigmaFraction?: number;
  /** Use the unbiased HSIC estimator (Song et al. 2012; debiased CKA, Nguyen et al. 2021). Needs N ≥ 4. Default false. */
  readonly debiased?: boolean;
  /** The result is NaN when the denominator √(HSIC(A,A)·HSIC(B,B)) is ≤ eps (absolute) or not finite. Default 1e-12. */
  readonly eps?: number;
}

/**
 * Centred kernel alignment between two representations of the same N samples, `[..., N, Da]` and
 * `[..., N, Db]` → `[...]` float32 (caller owns). Linear CKA is the original's: ‖AᵀB‖²_F/√(‖AᵀA‖²_F·‖BᵀB‖²_F)
 * after centring the columns, NaN when that denominator is ≤ eps (absolute, so 1e-10-scaled data is NaN too).
 *
 * @example
 * const similarity = cka(layer1, layer2);                    // linear
 * const rbf = cka(layer1, layer2, { kernel: 'rbf' });        // σ = median distance
 * const unbiased = cka(layer1, layer2, { debiased: true });  // debiased linear CKA
 */
export function cka(a: tf.Tensor, b: tf.Tensor, options: CkaOptions = {}): tf.Tensor {
  const where = 'cka';
  const settings = checkCkaOptions(options, where);
  const [setsA, setsB] = readPairedPointSets(a, b, where, 'CKA');
  const { n, count, batchShape } = setsA;
  if (settings.debiased && n < 4 && count > 0) {
    throw new ShapeMismatchError({
      what: `Debiased CKA needs at least 4 samples, got ${n}`,
      where,
      fix: 'Pass more samples, or debiased: false.',
    });
  }
  const out = new Float32Array(count);
  for (let s = 0; s < count; s += 1) {
    const rowsA = sliceRows(setsA, s);
    const rowsB = sliceRows(setsB, s);
    const terms =
      settings.kernel === 'linear'
        ? linearHsicTerms(rowsA, rowsB, n, setsA.d, setsB.d, settings.debiased)
        : rbfHsicTerms(
            rowsA,
            rowsB,
            n,
            setsA.d,
            setsB.d,
            bandwidth(settings, rowsA, n, setsA.d),
            bandwidth(settings, rowsB, n, setsB.d),
            settings.debiased,
          );
    const denominator = Math.sqrt(terms.selfA * terms.selfB);
    out[s] = !Number.isFinite(denominator) || denominator <= settings.eps ? NaN : terms.cross / denominator;
  }
  return tf.tensor(out, [...batchShape], 'float32');
}

interface CkaSettings {
  readonly kernel: 'linear' | 'rbf';
  readonly sigma: number | undefined;
  readonly sigmaFraction: number;
  readonly debiased: boolean;
  readonly eps: number;
}

/** σ² for one representation: the absolute σ, or the fraction of its median distance. */
function bandwidth(settings: CkaSettings, rows: Float32Array, n: number, d: number): number {
  if (settings.sigma !== undefined) return settings.sigma * settings.sigma;
  return settings.sigmaFraction * settings.sigmaFraction * medianSquaredDistance(rows, n, d);
}

/**
 * Checks {@link CkaOptions} (also what the operator runs at construction, as the original's constructor does).
 *
 * @example
 * const settings = checkCkaOptions({ kernel: 'rbf' }, 'ckaEstimator');
 */
export function checkCkaOptions(options: CkaOptions, where: string): CkaSettings {
  const kernel: unknown = options.kernel ?? 'linear';
  if (kernel !== 'linear' && kernel !== 'rbf') {
    throw new InvalidValueError({
      what: `Unsupported kernel '${String(kernel)}'. Only 'linear' and 'rbf' are implemented`,
      where: `${where}, option kernel`,
      fix: "Use kernel: 'linear' or 'rbf'.",
    });
  }
  const positive = (value: unknown, name: string): void => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new InvalidValueError({
        what: `${name} must be a finite number > 0, got ${String(value)}`,
        where: `${where}, option ${name}`,
      });
    }
  };
  if (options.sigma !== undefined) positive(options.sigma, 'sigma');
  if (options.sigmaFraction !== undefined) positive(options.sigmaFraction, 'sigmaFraction');
  if (kernel === 'linear' && (options.sigma !== undefined || options.sigmaFraction !== undefined)) {
    throw new InvalidValueError({
      what: 'sigma and sigmaFraction apply to the RBF kernel only',
      where: `${where}, option kernel`,
      fix: "Pass kernel: 'rbf', or drop sigma/sigmaFraction.",
    });
  }
  if (options.sigma !== undefined && options.sigmaFraction !== undefined) {
    throw new InvalidValueError({
      what: 'Pass either sigma (absolute) or sigmaFraction (of the median distance), not both',
      where: `${where}, option sigma`,
    });
  }
  const eps = options.eps ?? 1e-12;
  if (typeof eps !== 'number' || Number.isNaN(eps) || eps < 0) {
    throw new InvalidValueError({
      what: `eps must be a number ≥ 0, got ${String(eps)}`,
      where: `${where}, option eps`,
    });
  }
  return {
    kernel,
    sigma: options.sigma,
    sigmaFraction: options.sigmaFraction ?? 1,
    debiased: options.debiased ?? false,
    eps,
  };
}
