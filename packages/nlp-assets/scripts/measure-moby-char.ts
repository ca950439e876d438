// Measures the committed Moby Dick character model (models/moby-char/) as the tests do, through
// @tdhook/adapter-nlp's loader, and records the numbers in its training.json (heldOut.bitsPerChar on 64
// held-out windows, heldOut.first8BitsPerChar on the first 8 of them, which the tests check on both
// backends). `pnpm --filter @tdhook/nlp-assets measure-moby-char`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadGpt2Checkpoint } from '@tdhook/adapter-nlp';
import { initBackend } from '@tdhook/backend';

import { modelDirs } from '../src/model-dirs.js';
import { loadedLm } from '../src/training/loaded-lm.js';
import { mobyBitsPerChar } from '../src/training/moby-metrics.js';
import { log, writeJsonFile } from '../src/training/script-io.js';

await initBackend({ backend: 'wasm' });
const dir = modelDirs['moby-char'];
const lm = loadedLm((await loadGpt2Checkpoint(dir)).model);
const bitsPerChar = mobyBitsPerChar(lm, { count: 64 });
const first8BitsPerChar = mobyBitsPerChar(lm, { count: 8 });
lm.dispose();
const path = join(dir, 'training.json');
const facts = JSON.parse(readFileSync(path, 'utf8')) as { heldOut: Record<string, unknown> };
facts.heldOut = { ...facts.heldOut, windows: 64, seed: 7, bitsPerChar, first8BitsPerChar };
writeJsonFile(path, facts);
log(
  `measure-moby-char: ${bitsPerChar.toFixed(4)} bits/char (64 windows), ${first8BitsPerChar.toFixed(4)} (first 8)`,
);
