// The logistic function and log(1 + e^s) without overflow, for float64 scores.

/** σ(s) = 1 / (1 + e^−s), exact to the last bit for large |s|. */
export function sigmoid(score: number): number {
  if (score >= 0) return 1 / (1 + Math.exp(-score));
  const e = Math.exp(score);
  return e / (1 + e);
}

/** log(1 + e^s). */
export function softplus(score: number): number {
  return score > 0 ? score + Math.log1p(Math.exp(-score)) : Math.log1p(Math.exp(score));
}
