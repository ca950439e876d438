// The CartPole episode as a strip of rendered frames: two rows of six, each labelled with its step and the
// action the policy took there.
import { createImage, drawImage, drawText, fillRect, type RgbaImage } from '@tdhook/adapter-cv';
import type { RgbaImage as EnvImage } from '@tdhook/adapter-rl';

import type { CartPoleEpisode } from './cartpole-episode.js';

const gap = 8;
const labelHeight = 22;
const perRow = 6;

/** An environment picture as adapter-cv's image type (same bytes, another typed-array view). */
export function asCvImage(image: EnvImage): RgbaImage {
  return {
    width: image.width,
    height: image.height,
    data: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.length),
  };
}

/** The frames of `episode` in rows of six, each with its label above it. */
export function frameStrip(episode: CartPoleEpisode): RgbaImage {
  const [first] = episode.frames;
  const width = first?.width ?? 1;
  const height = first?.height ?? 1;
  const rows = Math.ceil(episode.frames.length / perRow);
  const strip = createImage(gap + perRow * (width + gap), gap + rows * (labelHeight + height + gap));
  episode.frames.forEach((frame, index) => {
    const t = episode.frameSteps[index] ?? 0;
    const x = gap + (index % perRow) * (width + gap);
    const y = gap + Math.floor(index / perRow) * (labelHeight + height + gap);
    const action = episode.actions[t] === 1 ? 'right' : 'left';
    drawText(strip, `t=${String(t)} ${action}`, x, y, {
      color: '#333',
      scale: 2,
    });
    fillRect(strip, x - 1, y + labelHeight - 1, width + 2, height + 2, '#b0b0b0'); // a frame around the frame
    drawImage(strip, asCvImage(frame), x, y + labelHeight);
  });
  return strip;
}
