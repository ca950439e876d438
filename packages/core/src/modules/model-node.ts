import { isLayersLike, type LayersLike } from './layers-like.js';
import { Module, type AnyModule } from './module.js';
import { ModuleDict, ModuleList, Sequential } from './containers.js';

/**
 * A node of a model tree: a plain TypeScript {@link Module} or a TF.js Layers layer or model.
 *
 * @example
 * const node: ModelNode = resolveModule(model, 'encoder.layers[-1]');
 * childrenOf(node).map(([name]) => name);
 */
export type ModelNode = AnyModule | LayersLike;

/**
 * True for anything tdhook can hook: a {@link Module} or a TF.js Layers layer or model.
 *
 * @example
 * isModelNode(mlp); // true
 */
export function isModelNode(value: unknown): value is ModelNode {
  return value instanceof Module || isLayersLike(value);
}

/**
 * The named children of a node, in order: a Module's registered children, a Layers container's layers
 * (by layer name), or a Layers wrapper's inner layer (as `layer`).
 *
 * @example
 * childrenOf(model).map(([name]) => name); // ['fc1', 'relu1', 'fc2']
 */
export function childrenOf(node: ModelNode): (readonly [string, ModelNode])[] {
  if (node instanceof Module) return node.namedChildren();
  const children: (readonly [string, ModelNode])[] = [];
  for (const layer of node.layers ?? []) {
    // Functional models list their InputLayer too; it computes nothing, so it is no hook site.
    if (layer.getClassName() !== 'InputLayer') children.push([layer.name, layer]);
  }
  if (node.layer !== undefined) children.push(['layer', node.layer]);
  return children;
}

/**
 * How paths may index a node: Sequential/ModuleList and Layers containers by position, ModuleDict by key.
 *
 * @example
 * containerKindOf(new ModuleList([a, b])); // 'sequence'
 */
export function containerKindOf(node: ModelNode): 'sequence' | 'mapping' | 'none' {
  if (node instanceof ModuleDict) return 'mapping';
  if (node instanceof ModuleList || node instanceof Sequential) return 'sequence';
  if (!(node instanceof Module) && node.layers !== undefined) return 'sequence';
  return 'none';
}

/**
 * A short description for messages: type and name.
 *
 * @example
 * describeNode(dense); // "Dense 'fc1'"
 */
export function describeNode(node: ModelNode): string {
  return node instanceof Module ? node.typeName : `${node.getClassName()} '${node.name}'`;
}

/**
 * The method tdhook shadows on the instance to run hooks: `forward` for a Module, `call` for a Layers layer
 * (`apply` and functional models' graph execution both end in `call`).
 */
export function interceptedMethodOf(node: ModelNode): 'forward' | 'call' {
  return node instanceof Module ? 'forward' : 'call';
}
