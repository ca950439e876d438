// Plain tdhook Modules described for LRP: modules opt in by exposing what rules need (LrpLinearModule,
// LrpLayerNormModule, or just an `lrpKind`); elementwise modules are recognised by their type name.
import * as tf from '@tensorflow/tfjs-core';

import { type AnyModule } from '@tdhook/core';
import { childrenOf, isTensor } from '@tdhook/core/plugin';
import { moduleLabel } from '../module-label.js';

import type { LrpLayer, LrpLayerKind, LrpLinearModule, LrpParameters } from './layer-types.js';

const kindsByName: Readonly<Record<string, LrpLayerKind>> = {
  relu: 'activation',
  relu6: 'activation',
  leakyrelu: 'activation',
  prelu: 'activation',
  elu: 'activation',
  selu: 'activation',
  celu: 'activation',
  gelu: 'activation',
  silu: 'activation',
  swish: 'activation',
  mish: 'activation',
  sigmoid: 'activation',
  tanh: 'activation',
  softplus: 'activation',
  softsign: 'activation',
  hardsigmoid: 'activation',
  softmax: 'softmax',
  flatten: 'reshape',
  reshape: 'reshape',
  identity: 'reshape',
  dropout: 'dropout',
};

const knownKinds = new Set<string>([
  'dense',
  'convolution',
  'batch-norm',
  'layer-norm',
  'activation',
  'softmax',
  'max-pool',
  'average-pool',
  'merge',
  'reshape',
  'dropout',
  'container',
  'unknown',
]);

function declaredKind(module: AnyModule): LrpLayerKind | undefined {
  const kind = (module as unknown as { lrpKind?: unknown }).lrpKind;
  return typeof kind === 'string' && knownKinds.has(kind) ? (kind as LrpLayerKind) : undefined;
}

function isLinearModule(module: AnyModule): module is AnyModule & LrpLinearModule {
  return typeof (module as unknown as Partial<LrpLinearModule>).forwardWith === 'function';
}

const tensorField = (module: AnyModule, name: string): tf.Tensor | undefined => {
  const value = (module as unknown as Record<string, unknown>)[name];
  return isTensor(value) ? value : undefined;
};

/** A plain tdhook Module as LRP sees it. */
export function moduleLayer(module: AnyModule): LrpLayer {
  const className = module.typeName;
  const description = className;
  const declared = declaredKind(module);
  if (isLinearModule(module)) {
    const kernel = tensorField(module, 'kernel');
    const kind =
      declared ?? (kernel === undefined ? 'average-pool' : kernel.rank === 2 ? 'dense' : 'convolution');
    return {
      kind,
      description,
      className,
      linear: {
        // Read at each use: the module owns its parameters and may replace them.
        parameters: (): LrpParameters => {
          const current = tensorField(module, 'kernel');
          const bias = tensorField(module, 'bias');
          return {
            ...(current === undefined ? {} : { kernel: current }),
            ...(bias === undefined ? {} : { bias }),
          };
        },
        apply: ([x], params) => module.forwardWith(x as tf.Tensor, params),
      },
    };
  }
  if (declared === 'merge') {
    // A parameter-free sum of its inputs (a residual addition `a + b`): the linear part takes every input,
    // so that the norm rule shares relevance between them, not only with the first.
    return {
      kind: declared,
      description,
      className,
      linear: {
        parameters: (): LrpParameters => ({}),
        apply: (inputs) => (inputs.length === 1 ? tf.clone(inputs[0] as tf.Tensor) : tf.addN([...inputs])),
      },
    };
  }
  if (declared === 'layer-norm') {
    const epsilon = Number((module as unknown as { epsilon?: unknown }).epsilon ?? 1e-5);
    return {
      kind: declared,
      description,
      className,
      layerNorm: {
        axes: [-1],
        epsilon,
        gamma: () => tensorField(module, 'gamma'),
        beta: () => tensorField(module, 'beta'),
      },
    };
  }
  const kind =
    declared ?? kindsByName[moduleLabel(module)] ?? (childrenOf(module).length > 0 ? 'container' : 'unknown');
  return kind === 'softmax'
    ? { kind, description, className, softmaxAxis: -1 }
    : { kind, description, className };
}
