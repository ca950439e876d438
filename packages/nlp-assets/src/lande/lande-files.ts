// lande 1.0.10's own files: its 50 language codes, its 620 n-grams and its toygrad network options. The
// package's `exports` hides them (only standalone/t50.js is exported), so they are read by path next to it;
// each is a one-line `export default <JSON>;` module.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

function readDefaultExport(file: string): unknown {
  const path = join(dirname(createRequire(import.meta.url).resolve('lande')), file);
  const source = readFileSync(path, 'utf8').trim();
  const match = /^export default ([\s\S]*?);?$/.exec(source);
  if (match === null)
    throw new Error(`@tdhook/nlp-assets: ${path} is not an 'export default <JSON>' module.`);
  return JSON.parse(match[1] as string);
}

/** The n-gram lists, in lande's feature order: unigrams, bigrams, trigrams, quadgrams. */
export interface LandeNgramLists {
  readonly unigrams: readonly string[];
  readonly bigrams: readonly string[];
  readonly trigrams: readonly string[];
  readonly quadgrams: readonly string[];
}

export const readLandeLanguages = (): string[] => readDefaultExport('t50-langs.js') as string[];
export const readLandeNgrams = (): LandeNgramLists => readDefaultExport('t50-ngrams.js') as LandeNgramLists;
export const readLandeOptions = (): unknown => readDefaultExport('t50-options.js');
