import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';

import { CvError } from '../errors.js';

/** A model.json as TF.js writes it (both formats), read structurally. */
interface ModelJson {
  readonly format?: string | undefined;
  readonly generatedBy?: string | undefined;
  readonly convertedBy?: string | null | undefined;
  readonly modelTopology?: unknown;
  readonly weightsManifest?: readonly {
    readonly paths: readonly string[];
    readonly weights: tf.io.WeightsManifestEntry[];
  }[];
  readonly signature?: unknown;
  readonly userDefinedMetadata?: Record<string, object>;
  readonly modelInitializer?: unknown;
  readonly trainingConfig?: unknown;
}

const where = 'model files';

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    throw new CvError('E_CV_FILE', {
      what: `No model at '${path}'`,
      where,
      fix: 'Give a folder holding model.json and its weight files, or the path of a model.json.',
    });
  }
}

/**
 * Where a model's model.json is: `path` itself, or `path/model.json` when `path` is a folder.
 *
 * @example
 * await modelJsonPath('models/mnist-cnn'); // '/abs/models/mnist-cnn/model.json'
 */
export async function modelJsonPath(path: string): Promise<string> {
  const absolute = resolve(path);
  return (await isDirectory(absolute)) ? join(absolute, 'model.json') : absolute;
}

async function readJson(path: string): Promise<ModelJson> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CvError('E_CV_FILE', {
      what: `Cannot read '${path}'`,
      where,
      fix: 'A model folder must hold model.json (as written by the TF.js converter or model.save).',
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CvError('E_CV_MODEL', {
      what: `'${path}' is not JSON (${(error as Error).message})`,
      where,
      fix: 'Point at the model.json the TF.js converter wrote, not a weights file or a Keras .h5.',
    });
  }
  if (typeof json !== 'object' || json === null || !('modelTopology' in json)) {
    throw new CvError('E_CV_MODEL', {
      what: `'${path}' has no modelTopology: it is not a TF.js model.json`,
      where,
      fix: 'Convert the model with tensorflowjs_converter (Keras → layers-model, SavedModel → graph-model).',
    });
  }
  return json;
}

async function readWeights(json: ModelJson, jsonPath: string): Promise<ArrayBuffer> {
  const paths = (json.weightsManifest ?? []).flatMap((group) => group.paths);
  const shards = await Promise.all(
    paths.map(async (shard) => {
      const shardPath = join(dirname(jsonPath), shard);
      try {
        return await readFile(shardPath);
      } catch {
        throw new CvError('E_CV_FILE', {
          what: `Weight file '${shard}' listed in '${jsonPath}' is missing`,
          where,
          fix: 'Keep every shard named in weightsManifest next to model.json.',
        });
      }
    }),
  );
  return tf.io.CompositeArrayBuffer.join(shards.map((shard) => new Uint8Array(shard).buffer));
}

const bytesPerElement: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  string: 0,
  complex64: 8,
};

function expectedWeightBytes(specs: readonly tf.io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const spec of specs) {
    const elements = spec.shape.reduce((product, size) => product * size, 1);
    const quantized = spec.quantization?.dtype;
    const width = quantized === undefined ? bytesPerElement[spec.dtype] : quantized === 'uint8' ? 1 : 2;
    // String weights have variable length: no size to check.
    if (width === undefined || width === 0) return undefined;
    total += elements * width;
  }
  return total;
}

/**
 * Reads a TF.js model (Layers or Graph, `model.json` plus its weight shards) from disk into the artifacts that
 * `tf.loadLayersModel` / `tf.loadGraphModel` take through an IO handler. Node has no `file://` loader
 * without `@tensorflow/tfjs-node`; this is the whole of one.
 *
 * @example
 * const artifacts = await readModelArtifacts('models/mnist-cnn');
 * artifacts.format; // 'layers-model'
 */
export async function readModelArtifacts(path: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = await modelJsonPath(path);
  const json = await readJson(jsonPath);
  const weightSpecs = (json.weightsManifest ?? []).flatMap((group) => group.weights);
  const weightData = await readWeights(json, jsonPath);
  // Checked here, before TF.js builds anything: a model built on the wrong weights fails halfway and leaves
  // its variables behind.
  const expected = expectedWeightBytes(weightSpecs);
  if (expected !== undefined && expected !== weightData.byteLength) {
    throw new CvError('E_CV_MODEL', {
      what: `The weight files of '${jsonPath}' hold ${weightData.byteLength} bytes, and its weightsManifest describes ${expected}`,
      where,
      fix: 'The shards do not belong to this model.json (or are truncated): copy model.json and its shards together.',
    });
  }
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology as object,
    weightSpecs,
    weightData,
  };
  if (json.format !== undefined) artifacts.format = json.format;
  if (json.generatedBy !== undefined) artifacts.generatedBy = json.generatedBy;
  if (json.convertedBy !== undefined) artifacts.convertedBy = json.convertedBy;
  if (json.signature !== undefined) artifacts.signature = json.signature as object;
  if (json.userDefinedMetadata !== undefined) artifacts.userDefinedMetadata = json.userDefinedMetadata;
  if (json.modelInitializer !== undefined) artifacts.modelInitializer = json.modelInitializer as object;
  if (json.trainingConfig !== undefined)
    artifacts.trainingConfig = json.trainingConfig as tf.io.TrainingConfig;
  return artifacts;
}

/**
 * A TF.js IO handler for a folder on disk: `load` reads model.json and its shards, `save` writes model.json
 * and one `weights.bin` (creating the folder). Works with `tf.loadLayersModel`, `tf.loadGraphModel` and
 * `model.save`.
 *
 * @example
 * const model = await tfl.loadLayersModel(fileModelHandler('models/mnist-cnn'));
 * await model.save(fileModelHandler('out/mnist-cnn'));
 */
export function fileModelHandler(path: string): tf.io.IOHandler {
  return {
    load: () => readModelArtifacts(path),
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      const folder = resolve(path);
      await mkdir(folder, { recursive: true });
      const weights =
        artifacts.weightData === undefined
          ? new Uint8Array()
          : new Uint8Array(new tf.io.CompositeArrayBuffer(artifacts.weightData).slice());
      const json: ModelJson = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig === undefined ? {} : { trainingConfig: artifacts.trainingConfig }),
        ...(artifacts.userDefinedMetadata === undefined
          ? {}
          : { userDefinedMetadata: artifacts.userDefinedMetadata }),
      };
      await writeFile(join(folder, 'weights.bin'), weights);
      await writeFile(join(folder, 'model.json'), JSON.stringify(json));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: weights.byteLength,
        },
      };
    },
  };
}
