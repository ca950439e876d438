// Colours of the charts: Okabe–Ito (readable with the common colour-vision deficiencies) for the variants,
// grey for the baseline, and red–white–blue (ColorBrewer RdBu) for ratios around 1.

const palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
const baselineColour = '#9a9a9a';

/** One colour per variant: the baseline grey, the others from the palette in order. */
export function variantColours(variants: readonly string[], baseline: string): ReadonlyMap<string, string> {
  let next = 0;
  return new Map(
    variants.map((variant) => [
      variant,
      variant === baseline ? baselineColour : (palette[next++ % palette.length] ?? '#000000'),
    ]),
  );
}

const diverging: readonly (readonly [number, number, number])[] = [
  [178, 24, 43],
  [239, 138, 98],
  [247, 247, 247],
  [103, 169, 207],
  [33, 102, 172],
];

/** The ratios at the ends of the colour scale: 1/4 (deep red) … 4 (deep blue). */
export const ratioLimit = 4;

/** Position of a ratio on the diverging scale: −1 at 1/4 or below, 0 at 1, +1 at 4 or above. */
export const ratioPosition = (ratio: number): number =>
  Math.max(-1, Math.min(1, Math.log(ratio) / Math.log(ratioLimit)));

/** The fill of a ratio: red below 1 (slower than the baseline), white at 1, blue above. */
export function ratioColour(ratio: number): string {
  if (!Number.isFinite(ratio) || ratio <= 0) return '#e0e0e0';
  const at = ((ratioPosition(ratio) + 1) / 2) * (diverging.length - 1);
  const index = Math.min(diverging.length - 2, Math.floor(at));
  const from = diverging[index] ?? [0, 0, 0];
  const to = diverging[index + 1] ?? from;
  const mix = (channel: 0 | 1 | 2): number =>
    Math.round(from[channel] + (to[channel] - from[channel]) * (at - index));
  const hex = (value: number): string => value.toString(16).padStart(2, '0');
  return `#${hex(mix(0))}${hex(mix(1))}${hex(mix(2))}`;
}

/** Black or white, whichever reads better on `fill` (`#rrggbb`). */
export function inkOn(fill: string): string {
  const channel = (offset: number): number => parseInt(fill.slice(offset, offset + 2), 16) / 255;
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return luminance < 0.45 ? '#ffffff' : '#1a1a1a';
}
