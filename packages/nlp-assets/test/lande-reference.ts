// lande 1.0.10's own normalisation and n-gram counting (standalone/utils.js), imported by path: the
// reference our featurizer must equal.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { landeFeatureNames } from '../src/index.js';

interface LandeUtils {
  getNormalized(text: string): string;
  getNgrams(text: string, n: number): Record<string, { frequency: number }>;
}

const utilsPath = join(dirname(createRequire(import.meta.url).resolve('lande')), 'utils.js');
const utils = (await import(pathToFileURL(utilsPath).href)) as LandeUtils;

/** lande's normalised text and its 620-value input vector, computed by lande's code. */
export function landeReference(text: string): { normalized: string; values: Float32Array } {
  const normalized = utils.getNormalized(text);
  const grams = [1, 2, 3, 4].map((n) => utils.getNgrams(normalized, n));
  const values = new Float32Array(
    landeFeatureNames.map((name) => grams[name.length - 1]?.[name]?.frequency ?? 0),
  );
  return { normalized, values };
}
