// Which modules output a ReLU: guided backprop hooks exactly these. Layers are read structurally (class name
// and getConfig()), as LRP reads them: this package does not depend on tfjs-layers.
import { Module, namedModules, type ModelNode } from '@tdhook/core';
import { isLayersLike } from '@tdhook/core/plugin';

import { moduleLabel } from '../module-label.js';

/**
 * A module whose output is a ReLU: a ReLU module (`ReLU` and `Activation('relu')` layers, a Module or
 * `Lambda` named `relu`), a layer that applies `activation: 'relu'` to its output, or a Module that says so
 * with `outputActivation: 'relu'` (a Graph model's fused `_FusedConv2D`/`_FusedMatMul` node in
 * @tdhook/adapter-cv).
 *
 * @example
 * const found: ReluOutput = { path: 'fc1', relu: 'fused activation' };
 */
export interface ReluOutput {
  readonly path: string;
  readonly relu: 'module' | 'fused activation';
}

// Layers whose `activation` is applied to their output, last.
const activatedLayers = new Set([
  'Dense',
  'Conv1D',
  'Conv2D',
  'Conv3D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'Conv2DTranspose',
  'Conv3DTranspose',
]);

function reluOf(node: ModelNode): ReluOutput['relu'] | undefined {
  if (node instanceof Module) {
    if (moduleLabel(node) === 'relu') return 'module';
    const { outputActivation } = node as { readonly outputActivation?: unknown };
    return outputActivation === 'relu' ? 'fused activation' : undefined;
  }
  if (!isLayersLike(node)) return undefined;
  const className = node.getClassName();
  // A ReLU layer with a maxValue still runs a ReLU before clipping; the clip's gradient is a mask.
  if (className === 'ReLU') return 'module';
  const getConfig = (node as { getConfig?: () => Record<string, unknown> }).getConfig;
  const activation = typeof getConfig === 'function' ? getConfig.call(node).activation : undefined;
  if (activation !== 'relu') return undefined;
  if (className === 'Activation') return 'module';
  return activatedLayers.has(className) ? 'fused activation' : undefined;
}

/**
 * Every module of `model` whose output is a ReLU, in module order.
 *
 * @example
 * reluOutputs(referenceMlp).map(({ path }) => path); // ['relu1', 'relu2']
 */
export function reluOutputs(model: ModelNode): ReluOutput[] {
  return namedModules(model).flatMap(([path, node]) => {
    const relu = reluOf(node);
    return relu === undefined ? [] : [{ path, relu }];
  });
}
