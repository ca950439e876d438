// Reading a tokenizer folder's files with errors that name the file: missing, unreadable, not JSON.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { TokenizerError } from './tokenizer-error.js';

/** Throws `E_TOKENIZER_FILE` unless `folder` is an existing directory. */
export async function checkFolder(folder: string): Promise<void> {
  const info = await stat(folder).catch((cause: unknown) => {
    throw new TokenizerError('E_TOKENIZER_FILE', {
      what: `The tokenizer folder does not exist or cannot be read`,
      where: folder,
      fix: 'Pass the folder of a model or tokenizer (it holds tdhook-tokenizer.json, tokenizer.json, or vocab.json + merges.txt).',
      cause,
    });
  });
  if (!info.isDirectory()) {
    throw new TokenizerError('E_TOKENIZER_FILE', {
      what: 'The path is a file, not a folder',
      where: folder,
      fix: 'Pass the folder that holds the tokenizer files.',
    });
  }
}

/** Whether `folder/name` exists. */
export async function hasFile(folder: string, name: string): Promise<boolean> {
  return stat(join(folder, name)).then(
    (info) => info.isFile(),
    () => false,
  );
}

/** The text of `folder/name`, or `E_TOKENIZER_FILE`. */
export async function readText(folder: string, name: string): Promise<string> {
  const path = join(folder, name);
  return readFile(path, 'utf8').catch((cause: unknown) => {
    throw new TokenizerError('E_TOKENIZER_FILE', {
      what: `${name} cannot be read`,
      where: path,
      fix: 'Check the file exists and is readable.',
      cause,
    });
  });
}

/** The parsed JSON of `folder/name`, or `E_TOKENIZER_FILE` / `E_TOKENIZER_FORMAT`. */
export async function readJson(folder: string, name: string): Promise<unknown> {
  const text = await readText(folder, name);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new TokenizerError('E_TOKENIZER_FORMAT', {
      what: `${name} is not valid JSON (${(cause as Error).message})`,
      where: join(folder, name),
      fix: 'Replace the file with an intact copy.',
      cause,
    });
  }
}

/**
 * Runs `load`, putting the folder into the `where` of a tokenizer error so the message names the path:
 * `tokenizer.json, model.type` becomes `<folder>/tokenizer.json, model.type`; a `where` that names no file
 * (an option) becomes `<folder> (special.pad)`.
 */
export async function inFolder<T>(folder: string, load: () => T | Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof TokenizerError && !(error.where ?? '').startsWith(folder)) {
      const where = error.where ?? '';
      throw new TokenizerError(error.code, {
        what: error.what,
        where: /^[\w.-]+\.(json|txt)\b/.test(where) ? join(folder, where) : `${folder} (${where})`,
        ...(error.fix === undefined ? {} : { fix: error.fix }),
        cause: error,
      });
    }
    throw error;
  }
}
