import { Module, type ModelNode } from '@tdhook/core';
import { childrenOf } from '@tdhook/core/plugin';

import type { LrpLayer } from './layer-types.js';
import { layersLayer } from './layers-adapter.js';
import { moduleLayer } from './modules-adapter.js';

/** What LRP knows about a model node: a tdhook Module or a TF.js Layers layer. */
export function lrpLayerOf(node: ModelNode): LrpLayer {
  if (node instanceof Module) return moduleLayer(node);
  const layer = layersLayer(node);
  return layer.kind === 'unknown' && childrenOf(node).length > 0 ? { ...layer, kind: 'container' } : layer;
}
