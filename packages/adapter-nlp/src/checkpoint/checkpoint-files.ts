// Finding and reading the files of a Hugging Face checkpoint folder: config.json and the weights, as one
// model.safetensors or as shards listed by model.safetensors.index.json.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { CheckpointError } from './checkpoint-error.js';
import { readSafetensors, type SafetensorsTensor } from './safetensors-read.js';

/** The file names Hugging Face uses. */
export const checkpointFileNames = {
  config: 'config.json',
  weights: 'model.safetensors',
  index: 'model.safetensors.index.json',
} as const;

/** A tensor as a file holds it, with the file it came from (relative to the folder). */
export interface StoredTensor {
  readonly name: string;
  readonly file: string;
  readonly tensor: SafetensorsTensor;
}

/** Whether `path` is a file (false for a folder or nothing). */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function readBytes(folder: string, file: string): Promise<Buffer> {
  try {
    return await readFile(join(folder, file));
  } catch (cause) {
    throw new CheckpointError('E_CHECKPOINT_FILE', {
      what: `Cannot read ${file} in ${folder} (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`,
      file: join(folder, file),
      fix: 'Check that the file exists and is readable.',
      cause,
    });
  }
}

/** Reads and parses a JSON file of the folder, with a typed error for a missing or malformed file. */
export async function readJsonFile(folder: string, file: string): Promise<unknown> {
  const text = (await readBytes(folder, file)).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new CheckpointError('E_CHECKPOINT_FILE', {
      what: `${file} is not valid JSON (${(cause as Error).message})`,
      file: join(folder, file),
      fix: 'Repair or replace the file.',
      cause,
    });
  }
}

/** Checks that `folder` is a readable folder with a config.json. */
export async function checkCheckpointFolder(folder: string): Promise<void> {
  let isFolder = false;
  try {
    isFolder = (await stat(folder)).isDirectory();
  } catch {
    isFolder = false;
  }
  if (!isFolder) {
    throw new CheckpointError('E_CHECKPOINT_FILE', {
      what: `${folder} is not a folder`,
      file: folder,
      fix: 'Pass the folder that holds config.json and model.safetensors.',
    });
  }
  if (!(await isFile(join(folder, checkpointFileNames.config)))) {
    throw new CheckpointError('E_CHECKPOINT_FILE', {
      what: `${folder} has no config.json`,
      file: join(folder, checkpointFileNames.config),
      fix: 'A Hugging Face checkpoint folder holds config.json next to its weights; add it.',
    });
  }
}

function indexError(folder: string, what: string): CheckpointError {
  return new CheckpointError('E_CHECKPOINT_FILE', {
    what,
    file: join(folder, checkpointFileNames.index),
    fix: 'The index must be {"metadata": {...}, "weight_map": {"<tensor>": "<shard file in this folder>", ...}}; write it again.',
  });
}

/** The shard of each tensor, from model.safetensors.index.json, validated. */
export async function readWeightMap(folder: string): Promise<Map<string, string>> {
  const index = await readJsonFile(folder, checkpointFileNames.index);
  const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw indexError(folder, 'The index has no weight_map object');
  }
  const map = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(weightMap)) {
    // Shards are plain names of files in the folder: nothing may point elsewhere.
    if (typeof shard !== 'string' || shard === '' || /[/\\]/.test(shard) || shard === '.' || shard === '..') {
      throw indexError(
        folder,
        `weight_map maps ${tensor} to ${JSON.stringify(shard)}, not a file name in the folder`,
      );
    }
    map.set(tensor, shard);
  }
  if (map.size === 0) throw indexError(folder, 'The index lists no tensors');
  return map;
}

/**
 * Reads every tensor of the checkpoint's weights: model.safetensors if present (what Hugging Face prefers),
 * else the shards that model.safetensors.index.json lists, each tensor in the shard the index names and each
 * shard's tensors all listed. Returns the tensors in file order and the weight files read.
 */
export async function readCheckpointTensors(
  folder: string,
): Promise<{ tensors: StoredTensor[]; files: string[] }> {
  if (await isFile(join(folder, checkpointFileNames.weights))) {
    const file = checkpointFileNames.weights;
    const { tensors } = readSafetensors(await readBytes(folder, file), { file });
    return {
      tensors: Object.entries(tensors).map(([name, tensor]) => ({ name, file, tensor })),
      files: [file],
    };
  }
  if (!(await isFile(join(folder, checkpointFileNames.index)))) {
    const hasPickle = await isFile(join(folder, 'pytorch_model.bin'));
    throw new CheckpointError('E_CHECKPOINT_FILE', {
      what: `${folder} has neither model.safetensors nor model.safetensors.index.json`,
      file: folder,
      fix: hasPickle
        ? 'The folder holds pytorch_model.bin (a pickle, which tdhook does not read); convert it to safetensors (model.save_pretrained(folder, safe_serialization=True)).'
        : 'Add the model weights as model.safetensors (or shards with their index).',
    });
  }
  const weightMap = await readWeightMap(folder);
  const files = [...new Set(weightMap.values())];
  const stored: StoredTensor[] = [];
  for (const file of files) {
    if (!(await isFile(join(folder, file)))) {
      throw new CheckpointError('E_CHECKPOINT_FILE', {
        what: `The shard ${file} that the index lists is missing`,
        file: join(folder, file),
        fix: 'Copy every shard the index lists into the folder.',
      });
    }
    const { tensors } = readSafetensors(await readBytes(folder, file), { file });
    for (const [name, tensor] of Object.entries(tensors)) {
      const listed = weightMap.get(name);
      if (listed !== file) {
        throw new CheckpointError('E_CHECKPOINT_TENSOR', {
          what:
            listed === undefined
              ? `The shard holds ${name}, which the index does not list`
              : `The shard holds ${name}, which the index places in ${listed}`,
          file,
          tensor: name,
          fix: 'The index and the shards disagree; write the checkpoint again.',
        });
      }
      stored.push({ name, file, tensor });
    }
  }
  const found = new Set(stored.map(({ name }) => name));
  for (const [name, file] of weightMap) {
    if (!found.has(name)) {
      throw new CheckpointError('E_CHECKPOINT_TENSOR', {
        what: `The index places ${name} in ${file}, but the shard does not hold it`,
        file,
        tensor: name,
        fix: 'The index and the shards disagree; write the checkpoint again.',
      });
    }
  }
  return { tensors: stored, files };
}
