// The corridor's picture: a row of cells, the goal as a green square and the agent as a blue disc on top.
import type { RgbaImage } from './environment.js';
import { createCanvas, fillCircle, fillRect, type Rgb } from './rgba-canvas.js';

const border: Rgb = [255, 255, 255];
const floor: Rgb = [222, 222, 222];
const goalColour: Rgb = [60, 170, 90];
const agentColour: Rgb = [40, 90, 200];

/** Draws a corridor of `length` cells, each `cellSize` pixels square. */
export function renderCorridor(length: number, agent: number, goal: number, cellSize: number): RgbaImage {
  const canvas = createCanvas(length * cellSize, cellSize, border);
  const gap = Math.max(1, Math.round(cellSize / 16));
  for (let cell = 0; cell < length; cell += 1) {
    fillRect(canvas, cell * cellSize + gap, gap, (cell + 1) * cellSize - gap, cellSize - gap, floor);
  }
  const inset = cellSize * 0.18;
  fillRect(
    canvas,
    goal * cellSize + inset,
    inset,
    (goal + 1) * cellSize - inset,
    cellSize - inset,
    goalColour,
  );
  fillCircle(canvas, (agent + 0.5) * cellSize, cellSize / 2, cellSize * 0.28, agentColour);
  return canvas;
}
