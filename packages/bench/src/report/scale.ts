// Axis scales for the bar charts: "nice" linear ticks from zero, or decades when values span orders of
// magnitude (a grid of widths from 100 to 10000 would otherwise leave the small points as slivers).

export interface Scale {
  readonly log: boolean;
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
  /** 0 at `min`, 1 at `max`. */
  position(value: number): number;
}

function niceStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10) * power;
}

/** A linear scale from 0 to a nice number at or above `max`, with about five ticks. */
export function linearScale(max: number): Scale {
  const top = max > 0 && Number.isFinite(max) ? max : 1;
  const step = niceStep(top, 5);
  const niceMax = Math.ceil(top / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let tick = 0; tick <= niceMax + step / 2; tick += step) ticks.push(Number(tick.toPrecision(12)));
  return { log: false, min: 0, max: niceMax, ticks, position: (value) => value / niceMax };
}

/**
 * A log scale from the decade at or below `min` to a little above `max` (both > 0); ticks at 1-2-5 of each
 * decade when it spans three decades or fewer, else at the decades.
 */
export function logScale(min: number, max: number): Scale {
  const low = Math.floor(Math.log10(min));
  const high = Math.log10(max * 1.15);
  const ticks: number[] = [];
  for (let power = low; power <= Math.ceil(high); power++) {
    for (const mantissa of high - low <= 3 ? [1, 2, 5] : [1]) {
      const tick = Number((mantissa * 10 ** power).toPrecision(12));
      if (Math.log10(tick) <= high) ticks.push(tick);
    }
  }
  return {
    log: true,
    min: 10 ** low,
    max: 10 ** high,
    ticks,
    position: (value) => (Math.log10(Math.max(value, 10 ** low)) - low) / (high - low),
  };
}

/** Log when the positive values span more than `spread` times; linear otherwise (and with zeros). */
export function chooseScale(values: readonly number[], spread = 30): Scale {
  const finite = values.filter((value) => Number.isFinite(value));
  const max = Math.max(0, ...finite);
  const min = Math.min(...finite);
  return finite.length > 0 && min > 0 && max / min > spread ? logScale(min, max) : linearScale(max);
}
