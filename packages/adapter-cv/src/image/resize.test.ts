// The typed tdhook matchers (toThrowTdhookError); the shared setup registers them at run time.
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { resizeImage } from './index.js';
import { createImage } from './rgba-image.js';

describe('resizeImage', () => {
  const checker = createImage(2, 2, [0, 0, 0, 255]);
  checker.data.set([255, 255, 255, 255], 0);
  checker.data.set([255, 255, 255, 255], 12);

  it('nearest keeps pixels crisp when enlarging', () => {
    const big = resizeImage(checker, 4, 4, 'nearest');
    expect([big.width, big.height]).toEqual([4, 4]);
    const reds = Array.from({ length: 16 }, (_, i) => big.data[i * 4]);
    expect(reds).toEqual([255, 255, 0, 0, 255, 255, 0, 0, 0, 0, 255, 255, 0, 0, 255, 255]);
  });

  it('bilinear blends, area averages when shrinking', () => {
    const big = resizeImage(checker, 4, 4, 'bilinear');
    expect(new Set(big.data.filter((_, i) => i % 4 === 0)).size).toBeGreaterThan(2);
    const one = resizeImage(checker, 1, 1, 'area');
    expect(Array.from(one.data)).toEqual([128, 128, 128, 255]);
  });

  it('rejects a bad size', () => {
    expect(() => resizeImage(checker, 0, 3)).toThrowTdhookError('E_CV_IMAGE', /resizeImage/);
  });
});
