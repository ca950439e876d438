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
 * The folders of the three models trained by this package's scripts, each a Hugging Face GPT-2 folder
 * (`config.json` + `model.safetensors`) with a `tdhook-tokenizer.json` and a `training.json` (how it was
 * trained, and its held-out metric).
 *
 * @example
 * import { modelDirs } from '@tdhook/nlp-assets';
 * modelDirs.ioi; // …/packages/nlp-assets/models/ioi
 */
export const modelDirs: { readonly ioi: string; readonly induction: string; readonly mobyChar: string } = {
  ioi: join(packageRoot, 'models', 'ioi'),
  induction: join(packageRoot, 'models', 'induction'),
  mobyChar: join(packageRoot, 'models', 'moby-char'),
};
