import { CvError } from '../errors.js';

/** One node of a TF GraphDef as the TF.js converter writes it in model.json. */
export interface GraphDefNode {
  readonly name: string;
  readonly op: string;
  readonly input?: readonly string[];
  /** Attributes; fused ops list what they fuse in `fused_ops.list.s`, base64-encoded op names. */
  readonly attr?: Readonly<
    Record<string, { readonly list?: { readonly s?: readonly string[] } } | undefined>
  >;
}

/**
 * The part of a Graph model's topology tdhook reads: each op node with the tensors it consumes.
 *
 * @example
 * const topology = graphTopology(artifacts.modelTopology);
 * topology.nodes.find((node) => node.op === 'MaxPool')?.name;
 */
export interface GraphTopology {
  /** Op nodes (no constants, placeholders or no-ops), in an order where every node follows its inputs. */
  readonly nodes: readonly GraphOpNode[];
}

/**
 * An op node: its name, op type, the tensors it reads that the graph computes (`'name'` or `'name:1'` for a
 * node's second output; weights and control inputs left out), and whether one of them is another output of
 * the same producer.
 *
 * @example
 * const node: GraphOpNode = { name: 'model/conv1/Relu', op: '_FusedConv2D', inputs: ['input_1'] };
 */
export interface GraphOpNode {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly string[];
  /** What a fused op (`_FusedConv2D`, `_FusedMatMul`, …) applies after its main op, in order: `['BiasAdd', 'Relu']`. */
  readonly fusedOps?: readonly string[];
}

/** The op names a fused node lists in `attr.fused_ops`, decoded (the converter writes them base64-encoded). */
function fusedOpsOf(node: GraphDefNode): readonly string[] | undefined {
  const encoded = node.attr?.['fused_ops']?.list?.s;
  if (encoded === undefined || encoded.length === 0) return undefined;
  return encoded.map((name) => new TextDecoder().decode(Uint8Array.from(atob(name), (c) => c.charCodeAt(0))));
}

const notComputed = new Set(['Const', 'Placeholder', 'PlaceholderWithDefault', 'NoOp']);

/** `'name:1'` → `'name'`. */
export function producerOf(tensorName: string): string {
  const colon = tensorName.lastIndexOf(':');
  return colon > 0 && /^\d+$/.test(tensorName.slice(colon + 1)) ? tensorName.slice(0, colon) : tensorName;
}

function isGraphDef(value: unknown): value is { node: GraphDefNode[] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { node?: unknown }).node);
}

/**
 * Reads the op nodes of a Graph model's topology (the GraphDef in model.json) and orders them so that every
 * node comes after the nodes it reads.
 *
 * @example
 * const { nodes } = graphTopology(json.modelTopology);
 */
export function graphTopology(modelTopology: unknown): GraphTopology {
  if (!isGraphDef(modelTopology)) {
    throw new CvError('E_CV_MODEL', {
      what: 'The Graph model has no GraphDef node list in its topology',
      where: 'graphTopology',
      fix: 'Load graph-model files written by tensorflowjs_converter (model.json with modelTopology.node).',
    });
  }
  const all = new Map(modelTopology.node.map((node) => [node.name, node]));
  const computed = (name: string): boolean => {
    const node = all.get(name);
    return node !== undefined && !notComputed.has(node.op);
  };
  const opNodes: GraphOpNode[] = modelTopology.node
    .filter((node) => !notComputed.has(node.op))
    .map((node) => {
      const fusedOps = fusedOpsOf(node);
      return {
        name: node.name,
        op: node.op,
        ...(fusedOps === undefined ? {} : { fusedOps }),
        // Weights (Const) come from the model's weight map; only computed tensors and placeholders are fed.
        inputs: (node.input ?? []).filter(
          (input) => !input.startsWith('^') && ![undefined, 'Const'].includes(all.get(producerOf(input))?.op),
        ),
      };
    });
  // Kahn's algorithm over the computed inputs; graph files are usually ordered already, not always.
  const pending = new Map(
    opNodes.map((node) => [node.name, node.inputs.filter((input) => computed(producerOf(input))).length]),
  );
  const consumers = new Map<string, GraphOpNode[]>();
  for (const node of opNodes) {
    for (const input of node.inputs) {
      const producer = producerOf(input);
      if (!computed(producer)) continue;
      consumers.set(producer, [...(consumers.get(producer) ?? []), node]);
    }
  }
  const ready = opNodes.filter((node) => pending.get(node.name) === 0);
  const ordered: GraphOpNode[] = [];
  while (ready.length > 0) {
    const node = ready.shift() as GraphOpNode;
    ordered.push(node);
    for (const consumer of consumers.get(node.name) ?? []) {
      const left = (pending.get(consumer.name) ?? 0) - 1;
      pending.set(consumer.name, left);
      if (left === 0) ready.push(consumer);
    }
  }
  // Nodes in a cycle (control-flow loops) never become ready; they stay out of the hookable set.
  return { nodes: ordered };
}
