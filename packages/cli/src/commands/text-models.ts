import { stat } from 'node:fs/promises';

import { UsageError } from '../usage-error.js';

/**
 * The built-in model names `tdhook explain-text --model` takes besides a folder: the small transformers
 * trained in the tdhook repository (`@tdhook/nlp-assets`, which ships with the repository, not on npm).
 *
 * @example
 * builtInTextModels.includes('ioi'); // true
 */
export const builtInTextModels: readonly string[] = Object.freeze(['ioi', 'induction', 'moby-char']);

/** `@tdhook/nlp-assets`'s `modelDirs`, or `undefined` where the package is not installed. */
async function assetFolders(): Promise<Readonly<Record<string, string>> | undefined> {
  // A variable specifier: the CLI does not depend on the private assets package; it uses it where present.
  const specifier = '@tdhook/nlp-assets';
  try {
    const assets = (await import(specifier)) as { modelDirs?: Readonly<Record<string, string>> };
    return assets.modelDirs;
  } catch {
    return undefined;
  }
}

/**
 * The folder of `--model`: an existing path as given, else a built-in name's folder.
 *
 * @example
 * const folder = await resolveTextModel('models/my-gpt2'); // 'models/my-gpt2'
 */
export async function resolveTextModel(model: string): Promise<string> {
  if ((await stat(model).catch(() => undefined)) !== undefined) return model;
  if (!builtInTextModels.includes(model)) {
    throw new UsageError(
      `--model '${model}' is neither a folder nor a built-in model (${builtInTextModels.join(', ')})`,
    );
  }
  const folder = (await assetFolders())?.[model];
  if (folder === undefined) {
    throw new UsageError(
      `--model ${model} is a built-in model of the tdhook repository (@tdhook/nlp-assets), which is not installed here; give a model folder instead`,
    );
  }
  return folder;
}
