import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';

import { decodeImage, encodeJpeg, encodePng, readImage, sniffImageFormat, writePng } from './index.js';
import type { RgbaImage } from './rgba-image.js';

const photos = new URL('../../../cv-assets/photos/', import.meta.url).pathname;
const scratch = await mkdtemp(join(tmpdir(), 'tdhook-cv-image-'));
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function gradient(width: number, height: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data.set([(x * 255) / (width - 1), (y * 255) / (height - 1), 128, 200], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('decodeImage / encodePng', () => {
  it('round-trips a PNG: same size and pixels, alpha kept', () => {
    const image = gradient(7, 5);
    const bytes = encodePng(image);
    expect(sniffImageFormat(bytes)).toBe('png');
    const decoded = decodeImage(bytes);
    expect(decoded.width).toBe(7);
    expect(decoded.height).toBe(5);
    expect(Array.from(decoded.data)).toEqual(Array.from(image.data));
  });

  it('decodes a JPEG it encoded, close to the original', () => {
    const image = gradient(32, 16);
    const bytes = encodeJpeg(image, 95);
    expect(sniffImageFormat(bytes)).toBe('jpeg');
    const decoded = decodeImage(bytes);
    expect([decoded.width, decoded.height]).toEqual([32, 16]);
    let worst = 0;
    for (let i = 0; i < image.data.length; i += 4) {
      for (let c = 0; c < 3; c++)
        worst = Math.max(worst, Math.abs((decoded.data[i + c] ?? 0) - (image.data[i + c] ?? 0)));
      expect(decoded.data[i + 3]).toBe(255);
    }
    expect(worst).toBeLessThan(12);
  });

  it('expands grey and palette PNGs to RGBA', () => {
    const grey = new PNG({ width: 3, height: 2 });
    grey.data = Buffer.from(gradient(3, 2).data);
    const greyBytes = PNG.sync.write(grey, { colorType: 0 });
    const decoded = decodeImage(greyBytes, 'grey.png');
    expect(decoded.data.length).toBe(3 * 2 * 4);
    for (let i = 0; i < decoded.data.length; i += 4) {
      expect(decoded.data[i]).toBe(decoded.data[i + 1]);
      expect(decoded.data[i]).toBe(decoded.data[i + 2]);
      expect(decoded.data[i + 3]).toBe(255);
    }
  });

  it('rejects bytes that are not PNG or JPEG, naming the source and the supported formats', () => {
    const gif = new TextEncoder().encode('GIF89a....');
    expect(() => decodeImage(gif, 'cat.gif')).toThrowTdhookError(
      'E_CV_IMAGE',
      /cat\.gif is a GIF.*PNG and JPEG/,
    );
    expect(() => decodeImage(new Uint8Array([1, 2, 3]), 'x.bin')).toThrowTdhookError(
      'E_CV_IMAGE',
      /x\.bin.*PNG or JPEG/,
    );
    expect(() => decodeImage(new Uint8Array(0), 'empty.png')).toThrowTdhookError(
      'E_CV_IMAGE',
      /empty\.png is empty/,
    );
  });

  it('rejects a truncated PNG and a corrupt JPEG, naming the source', () => {
    const png = encodePng(gradient(16, 16));
    expect(() => decodeImage(png.subarray(0, 40), 'broken.png')).toThrowTdhookError(
      'E_CV_IMAGE',
      /broken\.png.*PNG/,
    );
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0, 1, 2, 3]);
    expect(() => decodeImage(jpeg, 'broken.jpg')).toThrowTdhookError('E_CV_IMAGE', /broken\.jpg/);
  });
});

describe('readImage / writePng', () => {
  it('reads the chelsea photo (451×300 RGB PNG) as RGBA', async () => {
    const photo = await readImage(join(photos, 'chelsea.png'));
    expect([photo.width, photo.height, photo.data.length]).toEqual([451, 300, 451 * 300 * 4]);
  });

  it('writes a PNG, creating parent folders, and reads it back', async () => {
    const path = join(scratch, 'a', 'b', 'out.png');
    await writePng(path, gradient(4, 3));
    expect(sniffImageFormat(await readFile(path))).toBe('png');
    expect(Array.from((await readImage(path)).data)).toEqual(Array.from(gradient(4, 3).data));
  });

  it('reports a missing file as E_CV_FILE with its path', async () => {
    const path = join(scratch, 'nope.png');
    const error = await rejection(readImage(path));
    expect(error).toMatchObject({ code: 'E_CV_FILE' });
    expect((error as Error).message).toContain(path);
  });

  it('reports a file that is not an image as E_CV_IMAGE with its path', async () => {
    const path = join(scratch, 'fake.png');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path, 'hello');
    const error = await rejection(readImage(path));
    expect(error).toMatchObject({ code: 'E_CV_IMAGE' });
    expect((error as Error).message).toContain(path);
  });
});
