// Scalar summaries of perturbation curves, in plain JS.

/** Area under `scores` over `fractions` (trapezoid rule). */
export function areaUnderCurve(fractions: readonly number[], scores: readonly number[]): number {
  let area = 0;
  for (let k = 1; k < fractions.length; k++) {
    const width = (fractions[k] as number) - (fractions[k - 1] as number);
    area += (width * ((scores[k] as number) + (scores[k - 1] as number))) / 2;
  }
  return area;
}

/** Area over the perturbation curve (Samek et al., 2017): the mean over all points of `score_0 − score_k`. */
export function areaOverCurve(scores: readonly number[]): number {
  const clean = scores[0] ?? 0;
  return scores.reduce((sum, s) => sum + (clean - s), 0) / scores.length;
}

/** The element-wise mean of equally long rows. */
export function meanCurve(curves: readonly (readonly number[])[]): number[] {
  const length = curves[0]?.length ?? 0;
  return Array.from({ length }, (_, k) => average(curves.map((curve) => curve[k] as number)));
}

/** The mean of some numbers (NaN for none). */
export function average(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
