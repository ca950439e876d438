import { resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import {
  ansiColorSupport,
  attentionPatternPng,
  attributeTokens,
  attributionAnsi,
  attributionHtml,
  loadGpt2Checkpoint,
  loadTokenizer,
  type AnsiColorMode,
  type AttributedText,
  type HookedTransformer,
  type LoadedTokenizer,
  type TokenAttribution,
} from '@tdhook/adapter-nlp';

import { explainTextHelp } from '../help.js';
import { OutputFolder } from '../output-folder.js';
import { UsageError } from '../usage-error.js';
import { startBackend } from './backend.js';
import { parseExplainTextArgs, type ExplainTextArgs } from './explain-text-args.js';
import type { Io } from './io.js';
import { resolveTextModel } from './text-models.js';

/** A token given on the command line (`--target`, `--versus`, `--baseline`): its text, or `id:<n>`. */
function tokenId(value: string, flag: string, tokenizer: LoadedTokenizer): number {
  const byId = /^id:(\d+)$/.exec(value);
  if (byId !== null) {
    const id = Number(byId[1]);
    if (id >= tokenizer.vocabSize)
      throw new UsageError(
        `${flag} ${value} is not a token id of this tokenizer (0 to ${tokenizer.vocabSize - 1})`,
      );
    return id;
  }
  const ids = tokenizer.encode(value);
  if (ids.length !== 1) {
    const shown = tokenizer.tokens(ids).map((token) => JSON.stringify(token));
    throw new UsageError(
      `${flag} '${value}' is ${ids.length} tokens (${shown.join(' ')}), not one; give a single token (e.g. with its leading space for GPT-2) or id:<n>`,
    );
  }
  const id = ids[0] as number;
  if (id === tokenizer.specialTokens.unknown && tokenizer.tokenToString(id) !== value) {
    throw new UsageError(
      `${flag} '${value}' is not in this tokenizer's vocabulary (it reads as ${JSON.stringify(tokenizer.tokenToString(id))}); give a token the model knows, or id:<n>`,
    );
  }
  return id;
}

function baselineOf(args: ExplainTextArgs, tokenizer: LoadedTokenizer): 'zeros' | { token: number } {
  const value = args.baseline ?? 'zeros';
  if (value === 'zeros') return 'zeros';
  if (value === 'pad') {
    const pad = tokenizer.specialTokens.pad;
    if (pad === undefined)
      throw new UsageError(
        `--baseline pad: this tokenizer defines no pad token; give zeros, a token or id:<n>`,
      );
    return { token: pad };
  }
  return { token: tokenId(value, '--baseline', tokenizer) };
}

/** The logits at the explained position, for `argmax`. */
function predicted(model: HookedTransformer, ids: readonly number[], position: number): number {
  return tf.tidy(() => {
    const logits = model.call(tf.tensor2d([[...ids]], [1, ids.length], 'int32'));
    const at = position < 0 ? ids.length + position : position;
    return tf.argMax(tf.reshape(tf.slice(logits, [0, at, 0], [1, 1, -1]), [-1])).dataSync()[0] as number;
  });
}

function colorMode(args: ExplainTextArgs, io: Io): AnsiColorMode {
  if (args.color === 'never') return 'none';
  if (args.color === 'auto') return ansiColorSupport(io.stdout as { isTTY?: boolean });
  return args.color;
}

interface Explained {
  readonly method: string;
  readonly result: TokenAttribution;
}

async function attentionPngs(
  model: HookedTransformer,
  ids: readonly number[],
  tokens: readonly string[],
): Promise<{ name: string; png: Uint8Array }[]> {
  const names = model.blocks.items.map((_, layer) => `blocks.${layer}.attn.hook_pattern`);
  const input = tf.tensor2d([[...ids]], [1, ids.length], 'int32');
  const { logits, cache } = model.runWithCache(input, { names });
  try {
    const pngs = [];
    for (const [layer, name] of names.entries()) {
      const pattern = (cache.getTensor(name).arraySync() as number[][][][])[0] ?? [];
      const png = await attentionPatternPng(pattern, tokens, {
        title: `layer ${layer} attention`,
        headLabels: pattern.map((_, head) => `L${layer}H${head}`),
      });
      pngs.push({ name: `attention.layer${layer}.png`, png });
    }
    return pngs;
  } finally {
    tf.dispose([input, logits]);
    cache.dispose();
  }
}

async function explainText(
  args: ExplainTextArgs,
  io: Io,
  model: HookedTransformer,
  tokenizer: LoadedTokenizer,
  folder: string,
  backend: string,
  warn: (message: string) => void,
): Promise<number> {
  const { ids, offsets } = tokenizer.encodeWithOffsets(args.text);
  if (ids.length === 0) throw new UsageError('--text gives no tokens with this tokenizer');
  if (ids.length > model.config.nCtx) {
    throw new UsageError(
      `--text is ${ids.length} tokens, more than the model's context of ${model.config.nCtx}; shorten it`,
    );
  }
  const tokens = tokenizer.tokens(ids);
  const position = args.position ?? -1;
  if (position >= ids.length || position < -ids.length) {
    throw new UsageError(
      `--position ${position} is outside the text's ${ids.length} tokens (0 to ${ids.length - 1}, or -1 for the last)`,
    );
  }
  const target =
    args.target === 'argmax' ? predicted(model, ids, position) : tokenId(args.target, '--target', tokenizer);
  const versus = args.versus === undefined ? undefined : tokenId(args.versus, '--versus', tokenizer);
  const baseline = baselineOf(args, tokenizer);
  const unknown = ids.flatMap((id, i) => {
    const [start, end] = offsets[i] ?? [0, 0];
    return id === tokenizer.specialTokens.unknown ? [JSON.stringify(args.text.slice(start, end))] : [];
  });
  if (unknown.length > 0) {
    warn(
      `${unknown.length} token(s) of --text are not in the vocabulary and read as ${JSON.stringify(tokenizer.tokenToString(tokenizer.specialTokens.unknown ?? 0))}: ${unknown.join(', ')}`,
    );
  }
  const attentionNames = args.attention
    ? model.blocks.items.map((_, layer) => `attention.layer${layer}.png`)
    : [];
  const output = await OutputFolder.open(args.out, ['text.html', 'scores.json', ...attentionNames]);
  try {
    const explained: Explained[] = args.methods.map((method) => {
      const result = attributeTokens(model, [ids], {
        method,
        target: { token: target, position, ...(versus === undefined ? {} : { versus }) },
        ...(method === 'ig' ? { baseline, ...(args.steps === undefined ? {} : { steps: args.steps }) } : {}),
      });
      result.attribution.dispose();
      return { method, result };
    });
    const what = `${JSON.stringify(tokenizer.tokenToString(target))}${versus === undefined ? '' : ` − ${JSON.stringify(tokenizer.tokenToString(versus))}`}`;
    const rows: AttributedText[] = explained.map(({ method, result }) => ({
      label: `${method} → ${what} (f = ${(result.targetValues[0] ?? 0).toPrecision(4)})`,
      tokens,
      scores: result.scores[0] ?? [],
      text: args.text,
      offsets,
    }));
    io.stdout.write(`${attributionAnsi(rows, { color: colorMode(args, io), scale: 'row' })}\n`);
    const title = `tdhook explain-text: why ${what} after "${args.text}"`;
    await output.write('text.html', attributionHtml(rows, { title, scale: 'row' }));
    const pngs = args.attention ? await attentionPngs(model, ids, tokens) : [];
    for (const { name, png } of pngs) await output.write(name, png);
    const report = {
      tool: 'tdhook explain-text',
      model: resolve(folder),
      backend,
      text: args.text,
      tokens: tokens.map((token, i) => ({ id: ids[i], token, offsets: offsets[i] })),
      target: { id: target, token: tokenizer.tokenToString(target), position },
      ...(versus === undefined ? {} : { versus: { id: versus, token: tokenizer.tokenToString(versus) } }),
      methods: explained.map(({ method, result }) => ({
        method,
        scores: result.scores[0],
        value: result.targetValues[0],
        ...(result.convergenceDelta === undefined
          ? {}
          : { convergenceDelta: result.convergenceDelta[0], baseline }),
        ...(result.positionScores === undefined ? {} : { positionScores: result.positionScores[0] }),
      })),
    };
    await output.write('scores.json', `${JSON.stringify(report, null, 2)}\n`);
    await output.commit();
    const written = ['text.html', 'scores.json', ...pngs.map(({ name }) => name)];
    if (!args.quiet) io.stderr.write(`tdhook explain-text: wrote ${written.join(', ')} to ${output.path}\n`);
    return 0;
  } catch (error) {
    await output.abort();
    throw error;
  }
}

/**
 * `tdhook explain-text`: token attributions of a text for a model folder or built-in name, as coloured
 * terminal text on stdout and text.html / scores.json (and, with `--attention`, attention PNGs) in `--out`,
 * all or nothing.
 *
 * @example
 * process.exitCode = await explainTextCommand(['--model', 'models/ioi', '--text', 'When Mary and John', '--method', 'ig'], process);
 */
export async function explainTextCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseExplainTextArgs(argv);
  if (args === 'help') {
    io.stdout.write(explainTextHelp());
    return 0;
  }
  const folder = await resolveTextModel(args.model);
  const backend = await startBackend(args.backend);
  const tokenizer = await loadTokenizer(folder);
  const { model } = await loadGpt2Checkpoint(folder);
  try {
    const warn = (message: string): void => {
      io.stderr.write(`tdhook explain-text: warning: ${message}\n`);
    };
    return await explainText(args, io, model, tokenizer, folder, backend, warn);
  } finally {
    model.dispose();
    tf.disposeVariables();
  }
}
