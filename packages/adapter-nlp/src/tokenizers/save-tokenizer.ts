import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { LoadedTokenizer } from './load-tokenizer.js';
import { specialTokensMapFileName, toSpecialTokensMap } from './special-tokens-map.js';
import { tdhookTokenizerFileName } from './tdhook-tokenizer-file.js';
import { TokenizerError } from './tokenizer-error.js';

/**
 * Writes a tokenizer into a folder (created if missing) so that {@link loadTokenizer} reads it back:
 * char and word tokenizers as `tdhook-tokenizer.json`, GPT-2 tokenizers as `vocab.json` + `merges.txt`
 * (+ `special_tokens_map.json` when it has special roles). Existing files of those names are replaced.
 *
 * @example
 * await saveTokenizer(CharTokenizer.fromText(corpus), 'models/moby-char');
 * const again = await loadTokenizer('models/moby-char');
 */
export async function saveTokenizer(tokenizer: LoadedTokenizer, folder: string): Promise<void> {
  const files: [string, string][] = [];
  if (tokenizer.kind === 'gpt2') {
    const { vocab, merges } = tokenizer.toFiles();
    files.push(['vocab.json', JSON.stringify(vocab)], ['merges.txt', merges]);
    const special = Object.fromEntries(
      Object.entries(tokenizer.specialTokens).map(([role, id]) => [role, tokenizer.idToToken(id as number)]),
    );
    if (Object.keys(special).length > 0) {
      files.push([specialTokensMapFileName, JSON.stringify(toSpecialTokensMap(special), null, 2)]);
    }
  } else {
    files.push([tdhookTokenizerFileName, JSON.stringify(tokenizer.toJSON())]);
  }
  try {
    await mkdir(folder, { recursive: true });
    for (const [name, content] of files) await writeFile(join(folder, name), content, 'utf8');
  } catch (cause) {
    throw new TokenizerError('E_TOKENIZER_FILE', {
      what: `The tokenizer cannot be written (${(cause as Error).message})`,
      where: folder,
      fix: 'Pass a folder you can write to.',
      cause,
    });
  }
}
