import type * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';

import { CvError } from '../errors.js';
import { GraphModule } from '../graph/graph-module.js';
import type { ImageFit } from '../image/images-to-tensor.js';
import type { NormalisationName } from '../image/normalisation.js';
import { modelJsonPath, readModelArtifacts } from './model-files.js';

/**
 * A model loaded from disk: a Layers model as TF.js gives it (hookable by layer name), or a Graph model
 * wrapped as a {@link GraphModule} (hookable by node name). Both go straight into `method.prepare(model)`.
 *
 * @example
 * const loaded = await loadModel('models/emotion');
 * if (loaded.kind === 'graph') loaded.model.nodes().length;
 */
export type LoadedModel = (
  | { readonly kind: 'layers'; readonly model: LayersModel }
  | { readonly kind: 'graph'; readonly model: GraphModule }
) & {
  readonly path: string;
  /** What model.json's `userDefinedMetadata.tdhook` says of the model (labels, input preparation). */
  readonly metadata: VisionModelMetadata;
  readonly dispose: () => void;
};

/**
 * What a model.json may tell tdhook about its model, under `userDefinedMetadata.tdhook`, so that tools
 * (the CLI, the demo) prepare images and name classes without flags.
 *
 * @example
 * // model.json: { ..., "userDefinedMetadata": { "tdhook": { "labels": ["cat", "dog"], "normalisation": "unit" } } }
 * const { labels } = (await loadModel('models/pets')).metadata;
 */
export interface VisionModelMetadata {
  readonly labels?: readonly string[];
  readonly normalisation?: NormalisationName;
  readonly fit?: ImageFit;
}

function metadataOf(artifacts: tf.io.ModelArtifacts): VisionModelMetadata {
  const own = (artifacts.userDefinedMetadata as { tdhook?: Record<string, unknown> } | undefined)?.tdhook;
  if (own === undefined) return {};
  const labels = Array.isArray(own.labels) ? own.labels.map(String) : undefined;
  return {
    ...(labels === undefined ? {} : { labels }),
    ...(typeof own.normalisation === 'string'
      ? { normalisation: own.normalisation as NormalisationName }
      : {}),
    ...(typeof own.fit === 'string' ? { fit: own.fit as ImageFit } : {}),
  };
}

/**
 * Which of the two TF.js formats a model.json holds: its `format` field, or else the shape of its topology
 * (a Keras config for Layers, a GraphDef node list for Graph).
 *
 * @example
 * modelFormatOf(artifacts); // 'layers-model'
 */
export function modelFormatOf(artifacts: tf.io.ModelArtifacts): 'layers-model' | 'graph-model' | undefined {
  if (artifacts.format === 'layers-model' || artifacts.format === 'graph-model') return artifacts.format;
  const topology = artifacts.modelTopology as Record<string, unknown> | undefined;
  if (topology === undefined || topology instanceof ArrayBuffer) return undefined;
  if (Array.isArray(topology.node)) return 'graph-model';
  if ('class_name' in topology || 'model_config' in topology) return 'layers-model';
  return undefined;
}

/**
 * Loads a TF.js Layers or Graph model from a folder (or a model.json path) on disk, detecting the format,
 * without `@tensorflow/tfjs-node`. Graph models come wrapped in a {@link GraphModule} so that their nodes
 * are hookable.
 *
 * @example
 * const { model } = await loadModel('packages/cv-assets/models/mnist-cnn');
 * using prepared = saliency({ target: { select: 'argmax' } }).prepare(model);
 */
export async function loadModel(path: string): Promise<LoadedModel> {
  const artifacts = await readModelArtifacts(path);
  const format = modelFormatOf(artifacts);
  const handler: tf.io.IOHandler = { load: () => Promise.resolve(artifacts) };
  const where = `loadModel('${path}')`;
  try {
    if (format === 'layers-model') {
      const model = await loadLayersModel(handler);
      return { kind: 'layers', model, path, metadata: metadataOf(artifacts), dispose: () => model.dispose() };
    }
    if (format === 'graph-model') {
      const graph = await loadGraphModel(handler);
      const model = new GraphModule(graph, artifacts.modelTopology);
      return {
        kind: 'graph',
        model,
        path,
        metadata: metadataOf(artifacts),
        dispose: () => {
          model.dispose();
        },
      };
    }
  } catch (error) {
    if (error instanceof CvError) throw error;
    throw new CvError('E_CV_MODEL', {
      what: `TF.js could not build the model in '${await modelJsonPath(path)}': ${(error as Error).message}`,
      where,
      fix: 'Check that the weights belong to this model.json and that TF.js 4.x supports its layers/ops.',
      cause: error,
    });
  }
  throw new CvError('E_CV_MODEL', {
    what: `'${await modelJsonPath(path)}' is neither a layers-model nor a graph-model`,
    where,
    fix: 'Set "format" in model.json, or convert the model with tensorflowjs_converter.',
  });
}
