import { describe, expect, it } from 'vitest';

import * as probing from './index.js';

describe('@tdhook/probing', () => {
  it('loads', () => {
    expect(typeof probing).toBe('object');
  });
});
