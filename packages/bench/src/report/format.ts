// Number formatting shared by the markdown and SVG reports: three significant digits, units a reader expects.
import type { Params } from '../scenario.js';
import type { Spread } from '../stats.js';

function threeDigits(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude === 0) return '0';
  if (magnitude < 1) return value.toPrecision(2); // 0.50, 0.050: two significant digits, kept
  return magnitude >= 100 ? value.toFixed(0) : magnitude >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** The unit that suits a duration of `ms`: µs below 1 ms, s from 1000 ms. */
export function durationUnit(ms: number): { readonly name: string; readonly divide: number } {
  const magnitude = Math.abs(ms);
  if (magnitude >= 1000) return { name: 's', divide: 1000 };
  return magnitude < 1 && magnitude > 0 ? { name: 'µs', divide: 0.001 } : { name: 'ms', divide: 1 };
}

/** A duration in ms as `420 µs`, `12.3 ms`, `1.23 s`; `–` when not measured. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const unit = durationUnit(ms);
  return `${threeDigits(ms / unit.divide)} ${unit.name}`;
}

/** A median with its spread in the median's unit: `12.3 ms (11.9–13.0)`. */
export function formatSpread(spread: Spread): string {
  if (!Number.isFinite(spread.median)) return '–';
  const unit = durationUnit(spread.median);
  const value = (ms: number): string => (Number.isFinite(ms) ? threeDigits(ms / unit.divide) : '?');
  return `${value(spread.median)} ${unit.name} (${value(spread.p10)}–${value(spread.p90)})`;
}

const byteUnits = ['B', 'KiB', 'MiB', 'GiB'] as const;

/** The binary unit that suits `bytes`: its name and its size in bytes. */
export function byteUnit(bytes: number): { readonly name: string; readonly size: number } {
  let index = 0;
  while (index < byteUnits.length - 1 && Math.abs(bytes) >= 1024 ** (index + 1)) index++;
  return { name: byteUnits[index] ?? 'B', size: 1024 ** index };
}

/** Bytes as `512 B`, `340 KiB`, `1.21 MiB`; `–` when not measured. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  const unit = byteUnit(bytes);
  return unit.size === 1
    ? `${String(Math.round(bytes))} B`
    : `${threeDigits(bytes / unit.size)} ${unit.name}`;
}

/** MiB (peak RSS) as `182 MiB`. */
export function formatMiB(mib: number): string {
  return Number.isFinite(mib) ? `${threeDigits(mib)} MiB` : '–';
}

/** A ratio as `2.31×` or `12.3×`; `–` when it cannot be computed (a failed or zero measurement). */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '–';
  return `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}

/** A plain number in a chart's unit, short enough to print on a bar: `0.42`, `12.3`, `1234`. */
export function formatPlain(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return value >= 1000 ? value.toFixed(0) : threeDigits(value);
}

/** An axis tick: `0.5`, `2.5`, `1000` (ticks are round numbers, so no padding zeros). */
export function formatTick(value: number): string {
  return String(Number(value.toPrecision(6)));
}

/** `width 64, batch 8` (the keys given, in their order). */
export function formatParams(params: Params, keys: readonly string[] = Object.keys(params)): string {
  return keys
    .filter((key) => key in params)
    .map((key) => `${key} ${String(params[key] ?? '')}`)
    .join(', ');
}

/**
 * The parameters of a scenario's grid points that change from point to point, and those that are the same
 * everywhere (charts label points by the first and name the second once).
 */
export function splitParams(points: readonly Params[]): {
  readonly varying: readonly string[];
  readonly constant: readonly string[];
} {
  const keys = [...new Set(points.flatMap((point) => Object.keys(point)))];
  const varying = keys.filter((key) => new Set(points.map((point) => JSON.stringify(point[key]))).size > 1);
  return { varying, constant: keys.filter((key) => !varying.includes(key)) };
}
