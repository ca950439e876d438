import { join } from 'node:path';

import { CharTokenizer } from './char-tokenizer.js';
import { Gpt2Tokenizer } from './gpt2-tokenizer.js';
import { parseSpecialTokensMap, specialTokensMapFileName } from './special-tokens-map.js';
import { parseTdhookTokenizerFile, tdhookTokenizerFileName } from './tdhook-tokenizer-file.js';
import { checkFolder, hasFile, inFolder, readJson, readText } from './tokenizer-files.js';
import { TokenizerError } from './tokenizer-error.js';
import { WordTokenizer } from './word-tokenizer.js';

/**
 * Any tokenizer {@link loadTokenizer} returns.
 *
 * @example
 * const tokenizer: LoadedTokenizer = await loadTokenizer('models/gpt2');
 * if (tokenizer.kind === 'gpt2') tokenizer.idToToken(995); // 'Ġworld'
 */
export type LoadedTokenizer = CharTokenizer | WordTokenizer | Gpt2Tokenizer;

/**
 * Loads the tokenizer of a model folder, picking the first format present:
 * 1. `tdhook-tokenizer.json` → {@link CharTokenizer} or {@link WordTokenizer} (by its `kind`);
 * 2. `tokenizer.json` (Hugging Face; BPE with the byte-level pre-tokenizer) → {@link Gpt2Tokenizer};
 * 3. `vocab.json` + `merges.txt` → {@link Gpt2Tokenizer}.
 *
 * For GPT-2 folders, `special_tokens_map.json` (if present) sets the bos/eos/pad roles; without it
 * `<|endoftext|>` is bos and eos. Errors are `TokenizerError`s naming the file: `E_TOKENIZER_FILE` (no such
 * folder, no tokenizer file, vocab.json without merges.txt), `E_TOKENIZER_FORMAT` (malformed content),
 * `E_TOKENIZER_MODEL` (a tokenizer.json this package does not implement).
 *
 * @example
 * const tokenizer = await loadTokenizer('models/gpt2');
 * const { ids, offsets } = tokenizer.encodeWithOffsets('Hello world');
 */
export async function loadTokenizer(folder: string): Promise<LoadedTokenizer> {
  await checkFolder(folder);
  if (await hasFile(folder, tdhookTokenizerFileName)) {
    const json = await readJson(folder, tdhookTokenizerFileName);
    return inFolder(folder, () => {
      const file = parseTdhookTokenizerFile(json, tdhookTokenizerFileName);
      return file.kind === 'char' ? CharTokenizer.fromJSON(file) : WordTokenizer.fromJSON(file);
    });
  }
  const options = (await hasFile(folder, specialTokensMapFileName))
    ? {
        special: parseSpecialTokensMap(
          await readJson(folder, specialTokensMapFileName),
          join(folder, specialTokensMapFileName),
        ),
      }
    : {};
  if (await hasFile(folder, 'tokenizer.json')) {
    const json = await readJson(folder, 'tokenizer.json');
    return inFolder(folder, () => Gpt2Tokenizer.fromTokenizerJson(json, options));
  }
  const [hasVocab, hasMerges] = await Promise.all([
    hasFile(folder, 'vocab.json'),
    hasFile(folder, 'merges.txt'),
  ]);
  if (hasVocab && hasMerges) {
    const [vocab, merges] = await Promise.all([
      readJson(folder, 'vocab.json'),
      readText(folder, 'merges.txt'),
    ]);
    return inFolder(folder, () => Gpt2Tokenizer.fromVocabAndMerges(vocab, merges, options));
  }
  throw new TokenizerError('E_TOKENIZER_FILE', {
    what:
      hasVocab || hasMerges
        ? `The folder has ${hasVocab ? 'vocab.json but no merges.txt' : 'merges.txt but no vocab.json'}`
        : 'The folder holds no tokenizer',
    where: folder,
    fix: `Add ${tdhookTokenizerFileName} (char/word tokenizers), tokenizer.json, or both vocab.json and merges.txt (GPT-2 BPE).`,
  });
}
