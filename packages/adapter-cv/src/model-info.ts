import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { namedModules, type ModelNode } from '@tdhook/core';

import { GraphModule } from './graph/graph-module.js';
import type { GraphNode } from './graph/graph-node.js';

/**
 * A tensor's name, shape (`null` for a free dimension) and dtype.
 *
 * @example
 * const input: TensorSignature = { name: 'conv1_input', shape: [null, 28, 28, 1], dtype: 'float32' };
 */
export interface TensorSignature {
  readonly name: string;
  readonly shape: readonly (number | null)[];
  readonly dtype: string;
}

/**
 * One hookable module: its module path, type and, where known, output shape and parameter count.
 *
 * @example
 * const conv: ModuleInfo = { path: 'conv2', type: 'Conv2D', outputShape: [null, 11, 11, 16], parameters: 1168 };
 */
export interface ModuleInfo {
  /** The path every tdhook method and session takes (`'conv2'`, `'<model/conv2d_5/BiasAdd>'`). */
  readonly path: string;
  /** Layer class (`'Conv2D'`) or graph op (`'_FusedConv2D'`). */
  readonly type: string;
  readonly outputShape?: readonly (number | null)[];
  readonly parameters?: number;
}

/**
 * What `tdhook info` prints: the model's kind, inputs, outputs and every hookable module path.
 *
 * @example
 * const info = describeModel(model);
 * info.modules.filter((module) => module.type === 'Conv2D').map((module) => module.path);
 */
export interface ModelInfo {
  readonly kind: 'layers' | 'graph';
  readonly name: string;
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
  /** Weights in the model (trainable or not). */
  readonly parameters: number;
  readonly modules: readonly ModuleInfo[];
}

function isLayersModel(model: unknown): model is LayersModel {
  return typeof model === 'object' && model !== null && 'inputs' in model && 'layers' in model;
}

function shapeOf(shape: unknown): (number | null)[] {
  if (!Array.isArray(shape)) return [];
  const flat: unknown[] = Array.isArray(shape[0]) ? (shape[0] as unknown[]) : shape;
  return flat.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : null));
}

function describeLayers(model: LayersModel): ModelInfo {
  return {
    kind: 'layers',
    name: model.name,
    inputs: model.inputs.map((input) => ({
      name: input.name,
      shape: shapeOf(input.shape),
      dtype: input.dtype,
    })),
    outputs: model.outputs.map((output) => ({
      name: output.name,
      shape: shapeOf(output.shape),
      dtype: output.dtype,
    })),
    parameters: model.countParams(),
    modules: namedModules(model as unknown as ModelNode).map(([path, node]) => {
      const layer = node as unknown as {
        getClassName(): string;
        outputShape: unknown;
        countParams(): number;
      };
      return {
        path,
        type: layer.getClassName(),
        outputShape: shapeOf(layer.outputShape),
        parameters: layer.countParams(),
      };
    }),
  };
}

// A graph's shapes never change: probed once per graph (explainImages asks for them on every Grad-CAM call).
const probedShapes = new WeakMap<GraphModule, ReadonlyMap<string, number[]> | undefined>();

/** Runs the graph once on zeros (batch 1) to read every node's output shape; undefined if inputs are free. */
function probeGraphShapes(graph: GraphModule): ReadonlyMap<string, number[]> | undefined {
  if (probedShapes.has(graph)) return probedShapes.get(graph);
  const shapes = runShapeProbe(graph);
  probedShapes.set(graph, shapes);
  return shapes;
}

function runShapeProbe(graph: GraphModule): Map<string, number[]> | undefined {
  const inputs = graph.graphModel.inputs;
  const known = inputs.every((input) => (input.shape ?? []).slice(1).every((dim) => dim > 0));
  if (!known || inputs.length === 0) return undefined;
  const names = graph.nodes().map((node) => node.nodeName);
  const feeds: tf.NamedTensorMap = {};
  for (const input of inputs) feeds[input.name] = tf.zeros([1, ...(input.shape ?? []).slice(1)], input.dtype);
  const outputs = graph.graphModel.execute(feeds, names);
  const list = Array.isArray(outputs) ? outputs : [outputs];
  const shapes = new Map(names.map((name, index) => [name, [...(list[index]?.shape ?? [])]]));
  tf.dispose([...Object.values(feeds), ...list]);
  return shapes;
}

function describeGraph(graph: GraphModule): ModelInfo {
  const shapes = probeGraphShapes(graph);
  const weights = Object.values(graph.graphModel.weights).flat();
  const outputShapes =
    shapes === undefined ? [] : graph.outputNames.map((name) => shapes.get(name.split(':')[0] ?? name));
  return {
    kind: 'graph',
    name: 'graph',
    inputs: graph.graphModel.inputs.map((input) => ({
      name: input.name,
      shape: shapeOf(input.shape),
      dtype: input.dtype,
    })),
    outputs: graph.outputNames.map((name, index) => ({
      name,
      shape: outputShapes[index] === undefined ? [] : [null, ...(outputShapes[index] ?? []).slice(1)],
      dtype: 'float32',
    })),
    parameters: weights.reduce((sum, tensor) => sum + tensor.size, 0),
    modules: namedModules(graph).map(([path, node]) => {
      const graphNode = node as GraphNode;
      const shape = shapes?.get(graphNode.nodeName);
      return {
        path,
        type: graphNode.op,
        ...(shape === undefined ? {} : { outputShape: [null, ...shape.slice(1)] }),
      };
    }),
  };
}

/**
 * Lists a model's inputs, outputs and hookable module paths with their types, output shapes and parameter
 * counts: a Layers model from its layers, a {@link GraphModule} from its nodes (shapes from one pass on
 * zeros when the input shape is fixed).
 *
 * @example
 * const { model } = await loadModel('models/mnist-cnn');
 * console.log(formatModelInfo(describeModel(model)));
 */
export function describeModel(model: LayersModel | GraphModule): ModelInfo {
  if (model instanceof GraphModule) return describeGraph(model);
  if (isLayersModel(model)) return describeLayers(model);
  throw new TypeError('describeModel takes a TF.js LayersModel or a GraphModule');
}

function formatShape(shape: readonly (number | null)[] | undefined): string {
  return shape === undefined ? '?' : `[${shape.map((dim) => (dim === null ? 'N' : String(dim))).join(', ')}]`;
}

/**
 * The text `tdhook info` prints: a header and one aligned row per hookable module.
 *
 * @example
 * console.log(formatModelInfo(describeModel(model)));
 */
export function formatModelInfo(info: ModelInfo): string {
  const header = [
    `${info.kind === 'layers' ? 'Layers' : 'Graph'} model '${info.name}': ${info.parameters.toLocaleString('en-US')} parameters`,
    ...info.inputs.map((input) => `  input  ${input.name} ${formatShape(input.shape)} ${input.dtype}`),
    ...info.outputs.map((output) => `  output ${output.name} ${formatShape(output.shape)}`),
    '',
    `Hookable module paths (${info.modules.length}):`,
  ];
  const pathWidth = Math.max(4, ...info.modules.map((module) => module.path.length));
  const typeWidth = Math.max(4, ...info.modules.map((module) => module.type.length));
  const rows = info.modules.map((module) =>
    [
      module.path.padEnd(pathWidth),
      module.type.padEnd(typeWidth),
      formatShape(module.outputShape).padEnd(22),
      module.parameters === undefined ? '' : module.parameters.toLocaleString('en-US'),
    ]
      .join('  ')
      .trimEnd(),
  );
  return [
    ...header,
    `  ${'path'.padEnd(pathWidth)}  ${'type'.padEnd(typeWidth)}  ${'output'.padEnd(22)}  params`,
    ...rows.map((row) => `  ${row}`),
  ].join('\n');
}

/**
 * The last module whose output is a feature map (rank 4, spatial size > 1): Grad-CAM's usual layer.
 *
 * @example
 * lastFeatureMap(describeModel(mobileNet))?.path; // 'out_relu'
 */
export function lastFeatureMap(info: ModelInfo): ModuleInfo | undefined {
  return [...info.modules]
    .reverse()
    .find(
      (module) =>
        module.outputShape?.length === 4 &&
        (module.outputShape[1] ?? 0) > 1 &&
        (module.outputShape[2] ?? 0) > 1,
    );
}
