import type * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { Module } from '@tdhook/core';

import { CvError } from '../errors.js';
import type { GraphOpNode } from './graph-topology.js';

/**
 * One op node of a Graph model as a hookable module: its `forward` runs that node alone, fed with the
 * tensors it reads, so that forward-pre hooks see (and may replace) its inputs, forward hooks its output,
 * and gradient hooks the gradients through it. Created by {@link GraphModule}; its path is the node name,
 * escaped: `'<model/conv2d_1/Relu>'`.
 *
 * @example
 * const node = graphModule.node('StatefulPartitionedCall/model_1/conv2d_5/BiasAdd');
 * node.op; // '_FusedConv2D'
 */
export class GraphNode extends Module<tf.Tensor[]> {
  readonly #graph: GraphModel;
  /** The node name in the graph. */
  readonly nodeName: string;
  /** The TF op type, e.g. `'_FusedConv2D'`, `'Relu'`, `'MaxPool'`. */
  readonly op: string;
  /** The tensors the node reads from other nodes (`'name'` or `'name:1'`), in input order. */
  readonly inputNames: readonly string[];
  /**
   * The activation a fused op applies to its output (`'relu'` for a `_FusedConv2D` fusing `BiasAdd, Relu`),
   * lower-case; absent for other nodes. Guided backpropagation guides these outputs as it does ReLU layers.
   */
  readonly outputActivation?: string;

  constructor(graph: GraphModel, node: GraphOpNode) {
    super();
    this.#graph = graph;
    this.nodeName = node.name;
    this.op = node.op;
    this.inputNames = node.inputs;
    const last = node.fusedOps?.at(-1);
    if (last !== undefined && last !== 'BiasAdd') this.outputActivation = last.toLowerCase();
  }

  override get typeName(): string {
    return this.op;
  }

  forward(...inputs: tf.Tensor[]): tf.Tensor {
    if (inputs.length !== this.inputNames.length) {
      throw new CvError('E_CV_GRAPH', {
        what: `Graph node '${this.nodeName}' reads ${this.inputNames.length} tensor(s), got ${inputs.length}`,
        where: `GraphNode '${this.nodeName}'`,
        fix: 'A forward-pre hook must return as many inputs as it was given.',
      });
    }
    const feeds: tf.NamedTensorMap = {};
    this.inputNames.forEach((name, index) => {
      feeds[name] = inputs[index] as tf.Tensor;
    });
    const result = this.#graph.execute(feeds, this.nodeName);
    return Array.isArray(result) ? (result[0] as tf.Tensor) : result;
  }
}
