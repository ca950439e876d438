// The corridor's trajectories before and after steering, as pictures: space–time diagrams of a few start–goal
// pairs (one row per step, the agent's cell filled) and, for all 72 pairs, a start × goal grid of outcomes.
import { createImage, drawText, fillRect, type RgbaImage } from '@tdhook/adapter-cv';

import type { CorridorCondition, CorridorSteering } from './corridor-steering.js';

const floorColour = '#e4e4e4';
const goalColour = '#b9e2c4';
const agentColour = '#285ac8';
const reachedColour = '#3caa5a';
const failedColour = '#d24b3c';
const ink = '#333333';

/** The pairs the space–time diagrams show: three with the goal on the left, three on the right. */
export const diagramPairs: readonly (readonly [number, number])[] = [
  [6, 1],
  [8, 3],
  [4, 0],
  [2, 7],
  [0, 5],
  [3, 8],
];

function pathOf(
  steering: CorridorSteering,
  condition: CorridorCondition,
  agent: number,
  goal: number,
): number[] {
  const row = steering.pairs.findIndex(([a, g]) => a === agent && g === goal);
  return [...(condition.paths[row] ?? [])];
}

/** One diagram: `length` columns, a row per time step (`rows` in all), the goal column tinted. */
function drawDiagram(
  image: RgbaImage,
  x: number,
  y: number,
  path: readonly number[],
  goal: number,
  length: number,
  rows: number,
  cell: number,
): void {
  for (let t = 0; t < rows; t += 1) {
    for (let c = 0; c < length; c += 1) {
      fillRect(
        image,
        x + c * cell + 1,
        y + t * cell + 1,
        cell - 2,
        cell - 2,
        c === goal ? goalColour : floorColour,
      );
    }
  }
  path.forEach((at, t) => {
    const colour = at === goal ? reachedColour : agentColour;
    fillRect(image, x + at * cell + 1, y + t * cell + 1, cell - 2, cell - 2, colour);
  });
}

/** Space–time diagrams of {@link diagramPairs}, before and after steering, side by side per pair. */
export function trajectoriesPicture(steering: CorridorSteering, length = 9, maxSteps = 12): RgbaImage {
  const cell = 13;
  const rows = maxSteps + 1;
  const diagramWidth = length * cell;
  const pairWidth = 2 * diagramWidth + 10;
  const perRow = 3;
  const blockWidth = pairWidth + 34;
  const blockHeight = 26 + 14 + rows * cell + 18;
  const image = createImage(
    16 + perRow * blockWidth,
    10 + Math.ceil(diagramPairs.length / perRow) * blockHeight,
  );
  diagramPairs.forEach(([agent, goal], index) => {
    const x = 16 + (index % perRow) * blockWidth;
    const y = 10 + Math.floor(index / perRow) * blockHeight;
    drawText(image, `${String(agent)} -> ${String(goal)} (goal ${goal < agent ? 'left' : 'right'})`, x, y, {
      color: ink,
      scale: 2,
    });
    (['baseline', 'steered'] as const).forEach((name, side) => {
      const left = x + side * (diagramWidth + 10);
      const path = pathOf(steering, steering[name], agent, goal);
      drawText(image, name === 'baseline' ? 'before' : 'steered', left, y + 24, { color: ink });
      drawDiagram(image, left, y + 38, path, goal, length, rows, cell);
    });
  });
  return image;
}

/** Start × goal grids of the 72 rollouts' outcomes (reached the goal or not), before and after steering. */
export function outcomesPicture(steering: CorridorSteering, length = 9): RgbaImage {
  const cell = 28;
  const margin = { left: 44, top: 62 };
  const gridSize = length * cell;
  const gap = 80;
  const image = createImage(margin.left + 2 * gridSize + gap + 30, margin.top + gridSize + 14);
  (['baseline', 'steered'] as const).forEach((name, side) => {
    const x0 = margin.left + side * (gridSize + gap);
    const condition = steering[name];
    const reached = condition.success.filter(Boolean).length;
    drawText(image, `${name === 'baseline' ? 'before' : 'steered'}: ${String(reached)}/72 reached`, x0, 8, {
      color: ink,
      scale: 2,
    });
    drawText(image, 'goal cell', x0 + gridSize / 2 - 26, margin.top - 30, { color: ink });
    drawText(image, 'start cell', x0 - 40, margin.top + gridSize / 2 + 28, { color: ink, vertical: true });
    for (let c = 0; c < length; c += 1) {
      drawText(image, String(c), x0 + c * cell + cell / 2 - 2, margin.top - 13, { color: ink });
      drawText(image, String(c), x0 - 12, margin.top + c * cell + cell / 2 - 4, { color: ink });
    }
    for (let agent = 0; agent < length; agent += 1) {
      for (let goal = 0; goal < length; goal += 1) {
        const row = steering.pairs.findIndex(([a, g]) => a === agent && g === goal);
        const colour = row < 0 ? floorColour : condition.success[row] === true ? reachedColour : failedColour;
        fillRect(image, x0 + goal * cell + 1, margin.top + agent * cell + 1, cell - 2, cell - 2, colour);
      }
    }
  });
  return image;
}
