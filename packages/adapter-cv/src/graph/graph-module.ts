import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { Module } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';

import { CvError } from '../errors.js';
import { GraphNode } from './graph-node.js';
import { graphTopology, producerOf, type GraphOpNode } from './graph-topology.js';

const childNamePattern = /^[^.[\]<>]+$/;

function isHooked(node: GraphNode): boolean {
  return Object.values(hookCounts(node)).some((count) => count > 0);
}

function asList(result: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(result) ? result : [result];
}

/** Nodes that can run alone and be fed back: one output used downstream, inputs from distinct producers. */
function hookableNodes(nodes: readonly GraphOpNode[]): GraphOpNode[] {
  const multiOutput = new Set(
    nodes.flatMap((node) => node.inputs.filter((input) => producerOf(input) !== input).map(producerOf)),
  );
  return nodes.filter((node) => {
    const producers = node.inputs.map(producerOf);
    return (
      !multiOutput.has(node.name) &&
      new Set(producers).size === producers.length &&
      childNamePattern.test(node.name)
    );
  });
}

/**
 * A TF.js Graph model (`tf.loadGraphModel`, converted from a SavedModel or a frozen graph) as a tdhook
 * {@link Module}: each op node is a child named by its node name, so every method and session of tdhook can
 * capture, replace and differentiate at named nodes (`'<model/conv2d_5/BiasAdd>'` in module paths).
 *
 * Without hooks the graph runs in one `execute`. With hooks it runs in stages: up to the inputs of the first
 * hooked node, that node alone (its hooks around it), then on with the node's (possibly replaced) output fed
 * back into the graph, and so on to the outputs. Gradients flow through every stage. A node whose other
 * outputs (`:1`, `:2`) are read downstream cannot be fed back by TF.js and is not hookable; `info` lists
 * what is. Models with control flow (`executeAsync`) are not supported.
 *
 * @example
 * const graph = new GraphModule(await loadGraphModel(fileModelHandler('models/emotion')));
 * using prepared = gradCam({ layers: '<StatefulPartitionedCall/model_1/conv2d_5/BiasAdd>' }).prepare(graph);
 */
export class GraphModule extends Module<tf.Tensor[], tf.Tensor | tf.Tensor[]> {
  /** The wrapped TF.js Graph model. */
  readonly graphModel: GraphModel;
  /** Placeholder (input) names, in the order `forward` takes the inputs. */
  readonly inputNames: readonly string[];
  /** Output tensor names, in the order outputs are returned. */
  readonly outputNames: readonly string[];
  readonly #nodes: readonly GraphNode[];
  readonly #byName: ReadonlyMap<string, GraphNode>;

  /**
   * @param graphModel - A loaded Graph model.
   * @param modelTopology - Its GraphDef (model.json's `modelTopology`); read from the model when left out.
   */
  constructor(graphModel: GraphModel, modelTopology?: unknown) {
    super();
    this.graphModel = graphModel;
    this.inputNames = graphModel.inputNodes;
    this.outputNames = graphModel.outputNodes;
    const topology = graphTopology(modelTopology ?? readTopology(graphModel));
    this.#nodes = hookableNodes(topology.nodes).map((node) =>
      this.registerModule(node.name, new GraphNode(graphModel, node)),
    );
    this.#byName = new Map(this.#nodes.map((node) => [node.nodeName, node]));
  }

  override get typeName(): string {
    return 'GraphModule';
  }

  /**
   * The hookable node called `name`, or a typed error listing similar names.
   *
   * @example
   * graph.node('StatefulPartitionedCall/model_1/predictions/Softmax').op; // 'Softmax'
   */
  node(name: string): GraphNode {
    const found = this.#byName.get(name);
    if (found !== undefined) return found;
    const tail = name.split('/').pop() ?? name;
    const similar = this.#nodes.filter((node) => node.nodeName.includes(tail)).slice(0, 5);
    throw new CvError('E_CV_GRAPH', {
      what: `The graph has no hookable node '${name}'`,
      where: 'GraphModule.node',
      fix:
        similar.length > 0
          ? `Did you mean ${similar.map((node) => `'${node.nodeName}'`).join(', ')}?`
          : 'List the nodes with `tdhook info --model <dir>` or graph.nodes().',
    });
  }

  /**
   * Every hookable node, inputs before the nodes that read them.
   *
   * @example
   * graph.nodes().map((node) => `${node.nodeName} (${node.op})`);
   */
  nodes(): readonly GraphNode[] {
    return this.#nodes;
  }

  forward(...inputs: tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    if (inputs.length !== this.inputNames.length) {
      throw new CvError('E_CV_GRAPH', {
        what: `The graph takes ${this.inputNames.length} input(s) (${this.inputNames.join(', ')}), got ${inputs.length}`,
        where: 'GraphModule.forward',
        fix: 'Pass one tensor per graph input, in the order of graph.inputNames.',
      });
    }
    const feeds: tf.NamedTensorMap = {};
    this.inputNames.forEach((name, index) => {
      feeds[name] = inputs[index] as tf.Tensor;
    });
    const hooked = this.#nodes.filter(isHooked);
    if (hooked.length === 0) {
      const outputs = asList(this.graphModel.execute(feeds, [...this.outputNames]));
      return outputs.length === 1 ? (outputs[0] as tf.Tensor) : outputs;
    }
    // Staged: everything computed between the stages is this call's own intermediate and goes at the end,
    // as in a Layers model (the gradient tape keeps what backpropagation needs; captures keep clones).
    const outputs = tf.tidy(() => {
      for (const node of hooked) {
        const args =
          node.inputNames.length === 0 ? [] : asList(this.graphModel.execute(feeds, [...node.inputNames]));
        feeds[node.nodeName] = node.call(...args);
      }
      return asList(this.graphModel.execute(feeds, [...this.outputNames]));
    });
    return outputs.length === 1 ? (outputs[0] as tf.Tensor) : outputs;
  }

  /**
   * Disposes the graph's weights.
   *
   * @example
   * graph.dispose();
   */
  override dispose(): void {
    this.graphModel.dispose();
  }
}

function readTopology(graphModel: GraphModel): unknown {
  // GraphModel keeps the artifacts it was loaded from; the field is not in its public typings.
  const artifacts = (graphModel as unknown as { artifacts?: { modelTopology?: unknown } }).artifacts;
  return artifacts?.modelTopology;
}
