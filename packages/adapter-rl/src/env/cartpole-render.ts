// CartPole's picture, laid out as Gymnasium's renderer lays out its 600 × 400 screen (scale 125 px per metre,
// a 50 × 30 cart on a track 100 px above the bottom, a 10 px pole 1 m long) and scaled to the width asked for.
// The picture spans the track exactly: its edges are the ±2.4 limits.
import type { RgbaImage } from './environment.js';
import { cartPoleConstants, type CartPoleState } from './cartpole-physics.js';
import { createCanvas, fillCircle, fillConvexPolygon, fillRect, type Rgb } from './rgba-canvas.js';

const white: Rgb = [255, 255, 255];
const black: Rgb = [0, 0, 0];
const poleColour: Rgb = [202, 152, 101];
const axleColour: Rgb = [129, 132, 203];

/** Draws `state` on a `width` × `width·⅔` picture. */
export function renderCartPole(state: CartPoleState, width: number): RgbaImage {
  const height = Math.round((width * 2) / 3);
  const unit = width / 600; // Gymnasium's pixel at this size
  const canvas = createCanvas(width, height, white);
  const scale = width / (2 * cartPoleConstants.xThreshold);
  const poleLength = scale * 2 * cartPoleConstants.length;
  const poleWidth = 10 * unit;
  const cartWidth = 50 * unit;
  const cartHeight = 30 * unit;
  const trackY = height - 100 * unit; // y grows downward here; Gymnasium draws y-up and flips
  const cartX = state[0] * scale + width / 2;
  const line = Math.max(1, Math.round(unit));

  fillRect(canvas, 0, trackY - line / 2, width, trackY + line / 2, black);
  fillRect(
    canvas,
    cartX - cartWidth / 2,
    trackY - cartHeight / 2,
    cartX + cartWidth / 2,
    trackY + cartHeight / 2,
    black,
  );

  // The pole, a rectangle hinged at the axle, turned by the pole angle (clockwise for a positive angle).
  const axleY = trackY - cartHeight / 4;
  const cos = Math.cos(state[2]);
  const sin = Math.sin(state[2]);
  const corners = (
    [
      [-poleWidth / 2, -poleWidth / 2],
      [-poleWidth / 2, poleLength - poleWidth / 2],
      [poleWidth / 2, poleLength - poleWidth / 2],
      [poleWidth / 2, -poleWidth / 2],
    ] as const
  ).map(
    ([across, along]) => [cartX + across * cos + along * sin, axleY + across * sin - along * cos] as const,
  );
  fillConvexPolygon(canvas, corners, poleColour);
  fillCircle(canvas, cartX, axleY, poleWidth / 2, axleColour);
  return canvas;
}
