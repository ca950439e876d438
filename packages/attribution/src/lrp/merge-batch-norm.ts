// zennit's SequentialMergeBatchNorm for TF.js Layers models: an inference batch norm that reads the output of
// a Dense, Conv1D, Conv2D or DepthwiseConv2D (linear activation, used by nothing else) is folded into it,
//   W' = W·s, b' = (b − μ)·s + β, with s = γ/√(var + ε),
// and made the identity (γ = 1, β = 0, μ = 0, var = 1, ε = 0), so that the linear layer's rule sees the
// affine map the pair computes. Layers are read and written structurally (their weight fields), as
// layers-adapter.ts reads them: this package does not depend on tfjs-layers.
import * as tf from '@tensorflow/tfjs-core';

import { namedModules, type ModelNode } from '@tdhook/core';
import { isLayersLike } from '@tdhook/core/plugin';

import type { LrpCanonizerEdit } from './lrp-canonizer.js';

interface WeightVariable {
  read(): tf.Tensor;
}

interface LayerNode {
  readonly inboundLayers?: readonly unknown[];
}

type Fields = Record<string, unknown>;

const kernelNames: Readonly<Record<string, string>> = {
  Dense: 'kernel',
  Conv1D: 'kernel',
  Conv2D: 'kernel',
  DepthwiseConv2D: 'depthwiseKernel',
};

function weight(layer: object, name: string): WeightVariable | undefined {
  const value = (layer as Fields)[name];
  if (typeof value !== 'object' || value === null) return undefined;
  return typeof (value as Partial<WeightVariable>).read === 'function'
    ? (value as WeightVariable)
    : undefined;
}

function variableOf(layer: object, name: string): tf.Variable | undefined {
  const value = weight(layer, name)?.read();
  return value instanceof tf.Variable ? value : undefined;
}

function configOf(layer: object): Fields {
  const getConfig = (layer as { getConfig?: () => Fields }).getConfig;
  return typeof getConfig === 'function' ? getConfig.call(layer) : {};
}

const nodesOf = (layer: object, which: 'inboundNodes' | 'outboundNodes'): readonly LayerNode[] => {
  const nodes = (layer as Fields)[which];
  return Array.isArray(nodes) ? (nodes as LayerNode[]) : [];
};

const classOf = (node: ModelNode): string => (isLayersLike(node) ? node.getClassName() : '');

/** The rank of a layer's output (`outputShape` of a layer called once), or undefined. */
function outputRank(layer: object): number | undefined {
  try {
    const shape = (layer as { outputShape?: unknown }).outputShape;
    return Array.isArray(shape) && !Array.isArray(shape[0]) ? shape.length : undefined;
  } catch {
    return undefined; // a layer called more than once has no single output shape
  }
}

/** The linear layer `batchNorm` reads, if the pair can be merged. */
function mergeableProducer(batchNorm: ModelNode): ModelNode | undefined {
  const inbound = nodesOf(batchNorm, 'inboundNodes');
  const producers = inbound[0]?.inboundLayers ?? [];
  const producer = producers[0] as ModelNode | undefined;
  if (inbound.length !== 1 || producers.length !== 1 || producer === undefined) return undefined;
  const className = classOf(producer);
  const kernelName = kernelNames[className];
  if (kernelName === undefined || variableOf(producer, kernelName) === undefined) return undefined;
  const config = configOf(producer);
  if ((config.activation ?? 'linear') !== 'linear' || config.dataFormat === 'channelsFirst') return undefined;
  // Called once, its output read by the batch norm only: merging changes no other value.
  if (nodesOf(producer, 'inboundNodes').length !== 1 || nodesOf(producer, 'outboundNodes').length !== 1)
    return undefined;
  const bias = (producer as unknown as Fields).bias;
  if (bias !== null && bias !== undefined && variableOf(producer, 'bias') === undefined) return undefined;
  const rank = outputRank(producer);
  const axisConfig: unknown = configOf(batchNorm).axis;
  const axis = Number((Array.isArray(axisConfig) ? (axisConfig[0] as unknown) : axisConfig) ?? -1);
  if (rank === undefined || (axis !== -1 && axis !== rank - 1)) return undefined;
  if (
    variableOf(batchNorm, 'movingMean') === undefined ||
    variableOf(batchNorm, 'movingVariance') === undefined
  )
    return undefined;
  return producer;
}

/** Runs undos in reverse order (the last change is undone first). */
function undoAll(undos: readonly (() => void)[]): void {
  for (const undo of [...undos].reverse()) undo();
}

/**
 * Makes the changes one after another, all or nothing: if one fails, those made so far are undone (in reverse
 * order) and the error is rethrown. Returns the undo of them all.
 */
function allOrNothing(changes: readonly (() => () => void)[]): () => void {
  const undos: (() => void)[] = [];
  try {
    for (const change of changes) undos.push(change());
  } catch (error) {
    undoAll(undos);
    throw error;
  }
  return () => {
    undoAll(undos);
  };
}

/** Writes `value` into `variable` (the caller keeps `value`); the undo writes the old value back bit for bit. */
function assign(variable: tf.Variable, value: tf.Tensor): () => () => void {
  return () => {
    const saved = tf.keep(tf.clone(variable));
    try {
      variable.assign(value);
    } catch (error) {
      saved.dispose();
      throw error;
    }
    return () => {
      variable.assign(saved);
      saved.dispose();
    };
  };
}

/** Sets own properties of `target`; the undo puts back what was there (or removes them). */
function lend(target: Fields, values: Fields): () => () => void {
  return () => {
    const own = Object.getOwnPropertyDescriptors(target);
    const undo = (): void => {
      for (const name of Object.keys(values)) {
        const descriptor = own[name];
        if (descriptor === undefined) Reflect.deleteProperty(target, name);
        else Object.defineProperty(target, name, descriptor);
      }
    };
    try {
      Object.assign(target, values);
    } catch (error) {
      undo();
      throw error;
    }
    return undo;
  };
}

/** s = γ/√(var + ε), from the batch norm as it is now (before its own edit). */
function scaleOf(batchNorm: ModelNode): { scale: tf.Tensor; shift: (bias: tf.Tensor) => tf.Tensor } {
  const epsilon = Number((batchNorm as unknown as Fields).epsilon ?? configOf(batchNorm).epsilon ?? 1e-3);
  const variance = variableOf(batchNorm, 'movingVariance') as tf.Tensor;
  const mean = variableOf(batchNorm, 'movingMean') as tf.Tensor;
  const gamma = variableOf(batchNorm, 'gamma');
  const beta = variableOf(batchNorm, 'beta');
  const denominator = tf.sqrt(tf.add(variance, epsilon));
  const scale = gamma === undefined ? tf.div(1, denominator) : tf.div(gamma, denominator);
  const shift = (bias: tf.Tensor): tf.Tensor => {
    const shifted = tf.mul(tf.sub(bias, mean), scale);
    return beta === undefined ? shifted : tf.add(shifted, beta);
  };
  return { scale, shift };
}

// Each apply is all or nothing: a failure part-way leaves the module as it was and frees what it made, since
// LRP records an edit's undo only once apply has returned it.
function mergeIntoProducer(
  path: string,
  producer: ModelNode,
  batchNorm: ModelNode,
  from: string,
): LrpCanonizerEdit {
  const className = classOf(producer);
  const kernel = variableOf(producer, kernelNames[className] as string) as tf.Variable;
  return {
    path,
    detail: { mergedFrom: from },
    apply: () => {
      const bias = variableOf(producer, 'bias');
      const [merged, mergedBias] = tf.tidy<tf.Tensor[]>(() => {
        const { scale, shift } = scaleOf(batchNorm);
        // DepthwiseConv2D's output channel c·multiplier + m scales kernel[:, :, c, m].
        const shape = className === 'DepthwiseConv2D' ? [1, 1, ...kernel.shape.slice(2)] : [scale.size];
        const scaledKernel = tf.mul(kernel, tf.reshape(scale, shape));
        return [tf.keep(scaledKernel), tf.keep(shift(bias ?? tf.zeros(scale.shape)))];
      }) as [tf.Tensor, tf.Tensor];
      if (bias !== undefined) {
        try {
          return allOrNothing([assign(kernel, merged), assign(bias, mergedBias)]);
        } finally {
          tf.dispose([merged, mergedBias]);
        }
      }
      // No bias (zennit adds one too): lend the layer a bias for as long as LRP is prepared.
      try {
        return allOrNothing([
          () => () => {
            mergedBias.dispose();
          },
          assign(kernel, merged),
          lend(producer as unknown as Fields, { bias: { read: () => mergedBias }, useBias: true }),
        ]);
      } finally {
        merged.dispose();
      }
    },
  };
}

function makeIdentity(path: string, batchNorm: ModelNode, into: string): LrpCanonizerEdit {
  return {
    path,
    detail: { identity: true, mergedInto: into },
    apply: () => {
      const values: [string, (like: tf.Tensor) => tf.Tensor][] = [
        ['gamma', tf.onesLike],
        ['beta', tf.zerosLike],
        ['movingMean', tf.zerosLike],
        ['movingVariance', tf.onesLike],
      ];
      const present = values.flatMap(([name, make]) => {
        const variable = variableOf(batchNorm, name);
        return variable === undefined ? [] : [[variable, make] as const];
      });
      const identity = tf.tidy(() => present.map(([variable, make]) => make(variable)));
      try {
        return allOrNothing([
          ...present.map(([variable], index) => assign(variable, identity[index] as tf.Tensor)),
          lend(batchNorm as unknown as Fields, { epsilon: 0 }),
        ]);
      } finally {
        tf.dispose(identity);
      }
    },
  };
}

/**
 * The edits that merge every mergeable batch norm of `model` into the layer before it: for each pair, the
 * linear layer's new weights, then the batch norm made the identity (in that order: the first reads the
 * batch norm's statistics).
 */
export function mergeBatchNormEdits(model: ModelNode): LrpCanonizerEdit[] {
  const modules = namedModules(model);
  const pathOf = new Map(modules.map(([path, node]) => [node, path]));
  return modules.flatMap(([path, node]) => {
    if (classOf(node) !== 'BatchNormalization') return [];
    const producer = mergeableProducer(node);
    const producerPath = producer === undefined ? undefined : pathOf.get(producer);
    if (producer === undefined || producerPath === undefined) return [];
    return [mergeIntoProducer(producerPath, producer, node, path), makeIdentity(path, node, producerPath)];
  });
}
