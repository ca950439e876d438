import { listParameters, resolveModule, type ModelNode, type ParameterInfo } from '@tdhook/core';

/**
 * One parameter that pruning may score and zero (as core's `listParameters` describes it) and the module that
 * owns it.
 *
 * @example
 * const entry: ParameterEntry = { info: listParameters(model)[0], node: resolveModule(model, 'conv1') };
 */
export interface ParameterEntry {
  readonly info: ParameterInfo;
  readonly node: ModelNode;
}

/**
 * The float parameters of the module at `path` and below (the whole model for `''`), each variable once, at
 * the module that owns it, in model order: what the original's `default_skip` achieves for torch, whose
 * `named_parameters()` repeats a parameter at every ancestor. Integer parameters hold no magnitudes to prune.
 *
 * @example
 * parametersUnder(model, '').map((entry) => entry.info.key); // ['conv1.kernel', 'conv1.bias', …]
 */
export function parametersUnder(model: ModelNode, path: string): ParameterEntry[] {
  const nodes = new Map<string, ModelNode>();
  const nodeAt = (modulePath: string): ModelNode => {
    let node = nodes.get(modulePath);
    if (node === undefined) {
      node = modulePath === '' ? model : resolveModule(model, modulePath);
      nodes.set(modulePath, node);
    }
    return node;
  };
  return listParameters(model, path === '' ? {} : { paths: [path] })
    .filter((info) => info.dtype === 'float32')
    .map((info) => ({ info, node: nodeAt(info.path) }));
}
