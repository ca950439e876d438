/** An RGB colour with 0–255 components. */
export type Rgb = readonly [number, number, number];

// The ends of the diverging scale: red pushes towards the target, blue away (captum's and zennit's
// convention); 0 is white. Not fully saturated, so black text stays readable up to about two thirds.
const positiveEnd: Rgb = [214, 39, 40];
const negativeEnd: Rgb = [31, 99, 200];

/**
 * The shade of a score: white at 0, towards red for positive and blue for negative scores, full colour at
 * |score| ≥ `limit` (a `limit` of 0 gives white).
 */
export function scoreColor(score: number, limit: number): Rgb {
  const t = limit > 0 ? Math.min(1, Math.abs(score) / limit) : 0;
  const end = score >= 0 ? positiveEnd : negativeEnd;
  return [0, 1, 2].map((c) => Math.round(255 + t * ((end[c] ?? 0) - 255))) as unknown as Rgb;
}

/** Black or white, whichever reads better on `background`. */
export function inkOn(background: Rgb): Rgb {
  const luminance = 0.299 * background[0] + 0.587 * background[1] + 0.114 * background[2];
  return luminance > 150 ? [0, 0, 0] : [255, 255, 255];
}

/** `#rrggbb` of a colour. */
export function hexColor(rgb: Rgb): string {
  return `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** A score as a short signed number: `+0.123`, `−0.0456`, `0`. */
export function formatScore(score: number, digits = 3): string {
  if (score === 0) return '0';
  const magnitude = Math.abs(score);
  const text =
    magnitude >= 1e4 || magnitude < 1e-3
      ? magnitude.toExponential(digits - 1)
      : String(Number(magnitude.toPrecision(digits)));
  return `${score > 0 ? '+' : '-'}${text}`;
}
