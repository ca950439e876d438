// Where the models trained here lie: plain Hugging Face GPT-2 folders under models/, committed. Paths are
// computed from this module's URL, so they hold both from src/ (tests) and from dist/ (the built package).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root folder (absolute path), the parent of `src/`, `dist/` and `models/`.
 *
 * @example
 * import { packageRoot } from '@tdhook/nlp-assets';
 * console.log(packageRoot); // …/packages/nlp-assets/
 */
export const packageRoot: string = fileURLToPath(new URL('..', import.meta.url));

/**
 * The built-in model names (what `tdhook explain-text --model <name>` accepts besides a folder).
 *
 * @example
 * const name: NlpModelName = 'moby-char';
 */
export type NlpModelName = 'ioi' | 'induction' | 'moby-char';

/**
 * The folders of the three models trained by this package's scripts, by built-in name: each a Hugging Face
 * GPT-2 folder (`config.json` + `model.safetensors`) with a `tdhook-tokenizer.json` and a `training.json`
 * (how it was trained, and its held-out metric). `loadGpt2Checkpoint(folder)` and `loadTokenizer(folder)` of
 * `@tdhook/adapter-nlp` read them.
 *
 * @example
 * import { modelDirs } from '@tdhook/nlp-assets';
 * modelDirs['moby-char']; // …/packages/nlp-assets/models/moby-char
 */
export const modelDirs: Readonly<Record<NlpModelName, string>> = {
  ioi: join(packageRoot, 'models', 'ioi'),
  induction: join(packageRoot, 'models', 'induction'),
  'moby-char': join(packageRoot, 'models', 'moby-char'),
};
