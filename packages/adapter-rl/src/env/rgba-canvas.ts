// A few filled shapes on an RGBA buffer: all the environments' pictures need (no canvas in node, and pulling
// a drawing library for rectangles and a circle is not worth the install). Shapes are hard-edged: a pixel is
// painted when its centre lies inside.
import type { RgbaImage } from './environment.js';

/** An opaque colour `[red, green, blue]`, 0–255. */
export type Rgb = readonly [number, number, number];

/** A picture being drawn: {@link RgbaImage} with a writable buffer. */
export interface RgbaCanvas extends RgbaImage {
  readonly data: Uint8ClampedArray;
}

/** A `width` × `height` picture filled with `background`. */
export function createCanvas(width: number, height: number, background: Rgb): RgbaCanvas {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = background[0];
    data[i + 1] = background[1];
    data[i + 2] = background[2];
    data[i + 3] = 255;
  }
  return { width, height, data };
}

function paint(canvas: RgbaCanvas, x: number, y: number, colour: Rgb): void {
  const i = (y * canvas.width + x) * 4;
  canvas.data[i] = colour[0];
  canvas.data[i + 1] = colour[1];
  canvas.data[i + 2] = colour[2];
  canvas.data[i + 3] = 255;
}

/** Paints every pixel whose centre passes `inside`, scanning the box `[left, right) × [top, bottom)` only. */
function fillWhere(
  canvas: RgbaCanvas,
  box: readonly [number, number, number, number],
  colour: Rgb,
  inside: (x: number, y: number) => boolean,
): void {
  const left = Math.max(0, Math.floor(box[0]));
  const top = Math.max(0, Math.floor(box[1]));
  const right = Math.min(canvas.width, Math.ceil(box[2]));
  const bottom = Math.min(canvas.height, Math.ceil(box[3]));
  for (let y = top; y < bottom; y += 1) {
    for (let x = left; x < right; x += 1) if (inside(x + 0.5, y + 0.5)) paint(canvas, x, y, colour);
  }
}

/** Fills the axis-aligned rectangle with corners `(left, top)` and `(right, bottom)`, in pixels. */
export function fillRect(
  canvas: RgbaCanvas,
  left: number,
  top: number,
  right: number,
  bottom: number,
  colour: Rgb,
): void {
  fillWhere(
    canvas,
    [left, top, right, bottom],
    colour,
    (x, y) => x >= left && x < right && y >= top && y < bottom,
  );
}

/** Fills a convex polygon given by its corners in order (either winding). */
export function fillConvexPolygon(
  canvas: RgbaCanvas,
  corners: readonly (readonly [number, number])[],
  colour: Rgb,
): void {
  const xs = corners.map((corner) => corner[0]);
  const ys = corners.map((corner) => corner[1]);
  // Inside when the point is on the same side of every edge (the sign of each edge's cross product agrees).
  const inside = (x: number, y: number): boolean => {
    let sign = 0;
    for (const [i, [ax, ay]] of corners.entries()) {
      const [bx, by] = corners[(i + 1) % corners.length] ?? [ax, ay];
      const cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
      if (cross === 0) continue;
      if (sign === 0) sign = Math.sign(cross);
      else if (Math.sign(cross) !== sign) return false;
    }
    return true;
  };
  fillWhere(canvas, [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)], colour, inside);
}

/** Fills the disc of `radius` around `(cx, cy)`. */
export function fillCircle(canvas: RgbaCanvas, cx: number, cy: number, radius: number, colour: Rgb): void {
  const r2 = radius * radius;
  fillWhere(
    canvas,
    [cx - radius, cy - radius, cx + radius, cy + radius],
    colour,
    (x, y) => (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r2,
  );
}
