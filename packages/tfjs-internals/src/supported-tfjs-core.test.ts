import { readFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { supportedTfjsCore } from './supported-tfjs-core.js';

const manifest = (name: string): { peerDependencies?: Record<string, string> } =>
  JSON.parse(readFileSync(new URL(`../../${name}/package.json`, import.meta.url), 'utf8')) as {
    peerDependencies?: Record<string, string>;
  };

describe('supportedTfjsCore', () => {
  it('is the peer range of this package and of core and attribution, and holds the tfjs-core tested here', () => {
    expect(supportedTfjsCore).toBe('>=4.22.0 <5');
    for (const name of ['tfjs-internals', 'core', 'attribution']) {
      expect(manifest(name).peerDependencies?.['@tensorflow/tfjs-core'], name).toBe(supportedTfjsCore);
    }
    const [major, minor] = tf.version_core.split('.').map(Number);
    expect(major).toBe(4);
    expect(minor).toBeGreaterThanOrEqual(22);
  });
});
