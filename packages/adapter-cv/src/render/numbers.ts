/**
 * A short label for a number: `digits` significant digits (default 3), exponent notation for very large or
 * small ones.
 */
export function formatNumber(value: number, digits = 3): string {
  if (value === 0 || !Number.isFinite(value)) return String(value === 0 ? 0 : value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3)
    return value.toExponential(Math.max(0, Math.min(1, digits - 1))).replace('e+', 'e');
  return String(Number(value.toPrecision(digits)));
}

/** About `count` round tick values (steps of 1, 2 or 5 × 10^k) covering `[lo, hi]`, and their step. */
export function niceTicks(lo: number, hi: number, count = 5): { ticks: number[]; step: number } {
  const span = hi - lo;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const ticks: number[] = [];
  // Multiplying the index (rather than adding steps) keeps 0.1 · 3 from drifting to 0.30000000000000004.
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return { ticks, step };
}

/** A tick label with as many decimals as the step needs. */
export function formatTick(value: number, step: number): string {
  if (Math.abs(value) >= 1e5 || (step < 1e-3 && value !== 0)) return formatNumber(value);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(decimals).replace(/^-0(\.0+)?$/, '0');
}
