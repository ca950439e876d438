import type { ModelNode } from '../modules/model-node.js';
import type { ParameterInfo, ParameterListOptions } from './parameter-info.js';
import { collectParameters } from './parameter-entries.js';

/**
 * Describes every parameter of a tdhook Module, a TF.js Layers model (Sequential, functional, nested) or a
 * transformer, in model order, without touching any values. Each variable is listed once, under the module
 * that owns it (a Layers container's `weights` repeat its layers'; a tied embedding is listed at its first
 * path). Non-trainable weights (BatchNorm's moving statistics) are included with `trainable: false` unless
 * `trainableOnly`. A path in `paths` that names no module throws `UnknownPathError`.
 *
 * @example
 * listParameters(cnn).map((p) => p.key);          // ['conv1.kernel', 'conv1.bias', …, 'dense.bias']
 * listParameters(transformer, { paths: ['blocks[0].attn'] })[0].key; // 'blocks.0.attn.c_attn.weight'
 */
export function listParameters(model: ModelNode, options: ParameterListOptions = {}): ParameterInfo[] {
  return collectParameters(model, options, 'listParameters()').map((entry) => entry.info);
}
