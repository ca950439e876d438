// Writing a GPT-2 checkpoint folder as Hugging Face writes one: config.json, and model.safetensors or, above
// maxShardBytes, model-0000i-of-0000n.safetensors shards with model.safetensors.index.json. Every byte is
// prepared before the first file is touched; files are written under temporary names and renamed at the end,
// so a failure leaves the folder as it was.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { InvalidValueError } from '@tdhook/core';

import { gpt2WeightSpecs, type ResolvedTransformerConfig } from '../model/config.js';
import { CheckpointError } from './checkpoint-error.js';
import { checkpointFileNames, isFile, readWeightMap } from './checkpoint-files.js';
import { gpt2ConfigToJson } from './gpt2-config.js';
import { safetensorsDtypeBytes } from '@tdhook/core/plugin';
import { writeSafetensors, type SafetensorsTensorInput } from './safetensors-write.js';

/**
 * Options of {@link saveGpt2Checkpoint}.
 *
 * @example
 * await saveGpt2Checkpoint(model, 'out/model', { maxShardBytes: 10_000_000, overwrite: true });
 */
export interface SaveGpt2CheckpointOptions {
  /**
   * Split the weights into shards of at most this many bytes of tensor data (a tensor larger than that gets a
   * shard of its own), with model.safetensors.index.json, as Hugging Face does. Default: one model.safetensors.
   */
  readonly maxShardBytes?: number;
  /**
   * Replace a checkpoint already in the folder (config.json and the weight files; stale shards of the old
   * checkpoint are removed). Default false: a folder that holds a checkpoint is refused.
   */
  readonly overwrite?: boolean;
  /** More config.json fields, e.g. `{ eos_token_id: 0 }`; fields the model defines are refused. Default none. */
  readonly extraConfig?: Readonly<Record<string, unknown>>;
}

/**
 * What {@link saveGpt2Checkpoint} wrote.
 *
 * @example
 * const { files } = await saveGpt2Checkpoint(model, 'out/model'); // ['config.json', 'model.safetensors']
 */
export interface SavedGpt2Checkpoint {
  readonly folder: string;
  /** The files written, relative to the folder. */
  readonly files: readonly string[];
}

const partialSuffix = '.tdhook-partial';

function checkOptions(options: SaveGpt2CheckpointOptions): void {
  // Read as unknown: plain-JS callers can pass anything.
  const { maxShardBytes, overwrite, extraConfig } = options as Record<string, unknown>;
  if (
    maxShardBytes !== undefined &&
    !(Number.isSafeInteger(maxShardBytes) && (maxShardBytes as number) > 0)
  ) {
    throw new InvalidValueError({
      what: `maxShardBytes is ${JSON.stringify(maxShardBytes)}, not a positive integer`,
      where: 'options.maxShardBytes',
      fix: 'Give a size in bytes, e.g. 2_000_000_000, or leave it out for one file.',
    });
  }
  if (overwrite !== undefined && typeof overwrite !== 'boolean') {
    throw new InvalidValueError({
      what: 'overwrite is not a boolean',
      where: 'options.overwrite',
      fix: 'Pass true or false.',
    });
  }
  if (
    extraConfig !== undefined &&
    (typeof extraConfig !== 'object' || extraConfig === null || Array.isArray(extraConfig))
  ) {
    throw new InvalidValueError({
      what: 'extraConfig is not an object',
      where: 'options.extraConfig',
      fix: 'Pass config.json fields as an object, e.g. { eos_token_id: 0 }.',
    });
  }
}

function shapeOf(input: SafetensorsTensorInput): readonly number[] {
  return input.shape;
}

/** Groups tensor names into shards the way Hugging Face does: in order, a new shard when the next would overflow. */
function planShards(
  names: readonly string[],
  sizes: ReadonlyMap<string, number>,
  maxShardBytes: number,
): string[][] {
  const shards: string[][] = [];
  let current: string[] = [];
  let currentBytes = 0;
  for (const name of names) {
    const bytes = sizes.get(name) ?? 0;
    if (current.length > 0 && currentBytes + bytes > maxShardBytes) {
      shards.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(name);
    currentBytes += bytes;
  }
  if (current.length > 0) shards.push(current);
  return shards;
}

function shardName(index: number, count: number): string {
  const pad = (value: number): string => String(value).padStart(5, '0');
  return `model-${pad(index + 1)}-of-${pad(count)}.safetensors`;
}

function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** The weight files of the checkpoint now in the folder (to remove those the new one does not replace). */
async function existingWeightFiles(folder: string): Promise<string[]> {
  const files: string[] = [];
  if (await isFile(join(folder, checkpointFileNames.weights))) files.push(checkpointFileNames.weights);
  if (await isFile(join(folder, checkpointFileNames.index))) {
    files.push(checkpointFileNames.index);
    try {
      for (const shard of new Set((await readWeightMap(folder)).values())) files.push(shard);
    } catch {
      // An unreadable old index lists no shards to remove; the new checkpoint is written all the same.
    }
  }
  return files;
}

/**
 * Writes a GPT-2 checkpoint folder from a config and its weights (names of `gpt2WeightSpecs`, stored with the
 * `transformer.` prefix as `GPT2LMHeadModel` stores them; the tied lm_head is not stored).
 */
export async function writeGpt2Checkpoint(
  folder: string,
  config: ResolvedTransformerConfig,
  weights: Readonly<Record<string, SafetensorsTensorInput>>,
  options: SaveGpt2CheckpointOptions = {},
): Promise<SavedGpt2Checkpoint> {
  checkOptions(options);
  const configJson = gpt2ConfigToJson(config, options.extraConfig);
  const specs = gpt2WeightSpecs(config);
  const sizes = new Map<string, number>();
  for (const spec of specs) {
    const input = weights[spec.name];
    const shape = input === undefined ? undefined : shapeOf(input);
    if (
      shape === undefined ||
      shape.length !== spec.shape.length ||
      shape.some((size, i) => size !== spec.shape[i])
    ) {
      throw new CheckpointError('E_CHECKPOINT_TENSOR', {
        what:
          shape === undefined
            ? `The weights have no ${spec.name}`
            : `${spec.name} has shape [${shape.join(', ')}], but the config calls for [${spec.shape.join(', ')}]`,
        tensor: spec.name,
        fix: 'Pass the weights of the model the config describes (model.gpt2Weights()).',
      });
    }
    sizes.set(spec.name, spec.shape.reduce((product, size) => product * size, 1) * safetensorsDtypeBytes.F32);
  }
  const names = specs.map(({ name }) => name);
  const shards = planShards(names, sizes, options.maxShardBytes ?? Number.POSITIVE_INFINITY);
  const contents = new Map<string, Uint8Array | string>([[checkpointFileNames.config, jsonText(configJson)]]);
  const serialise = (group: readonly string[]): Uint8Array =>
    writeSafetensors(
      Object.fromEntries(
        group.map((name) => [`transformer.${name}`, weights[name] as SafetensorsTensorInput]),
      ),
    );
  if (shards.length <= 1) {
    contents.set(checkpointFileNames.weights, serialise(names));
  } else {
    const weightMap: Record<string, string> = {};
    shards.forEach((group, index) => {
      const file = shardName(index, shards.length);
      contents.set(file, serialise(group));
      for (const name of group) weightMap[`transformer.${name}`] = file;
    });
    const totalSize = [...sizes.values()].reduce((total, bytes) => total + bytes, 0);
    const sortedMap = Object.fromEntries(
      Object.keys(weightMap)
        .sort()
        .map((key) => [key, weightMap[key]]),
    );
    contents.set(
      checkpointFileNames.index,
      jsonText({ metadata: { total_size: totalSize }, weight_map: sortedMap }),
    );
  }
  await commitFiles(folder, contents, options.overwrite ?? false);
  return { folder, files: [...contents.keys()] };
}

async function commitFiles(
  folder: string,
  contents: ReadonlyMap<string, Uint8Array | string>,
  overwrite: boolean,
): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
  } catch (cause) {
    throw new CheckpointError('E_CHECKPOINT_FILE', {
      what: `Cannot create the folder ${folder}`,
      file: folder,
      fix: 'Choose a folder you can write to.',
      cause,
    });
  }
  const old = await existingWeightFiles(folder);
  const hasConfig = await isFile(join(folder, checkpointFileNames.config));
  if (!overwrite && (hasConfig || old.length > 0)) {
    throw new CheckpointError('E_CHECKPOINT_FILE', {
      what: `${folder} already holds a checkpoint (${[...(hasConfig ? [checkpointFileNames.config] : []), ...old].join(', ')})`,
      file: folder,
      fix: 'Pass { overwrite: true } to replace it, or choose another folder.',
    });
  }
  const written: string[] = [];
  try {
    for (const [file, data] of contents) {
      await writeFile(join(folder, file + partialSuffix), data);
      written.push(file);
    }
    for (const file of written) await rename(join(folder, file + partialSuffix), join(folder, file));
  } catch (cause) {
    await Promise.all(written.map((file) => rm(join(folder, file + partialSuffix), { force: true })));
    throw new CheckpointError('E_CHECKPOINT_FILE', {
      what: `Cannot write the checkpoint into ${folder} (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`,
      file: folder,
      fix: 'Check that the folder is writable and the disk has room.',
      cause,
    });
  }
  // The old checkpoint's weight files that the new one did not replace would shadow it (model.safetensors wins
  // over an index) or linger as stale shards.
  await Promise.all(
    old.filter((file) => !contents.has(file)).map((file) => rm(join(folder, file), { force: true })),
  );
}
