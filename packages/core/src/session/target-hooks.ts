import * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError } from '../errors.js';
import type { ForwardHook, GradientHook } from '../hooks/hook-types.js';
import { describeStructure, mapTensorLeaves, tensorLeaves } from '../hooks/tensor-leaves.js';
import { replaceUnits, selectUnits, type ReplacementValue } from './selection.js';
import { describeTarget, type TargetJSON } from './target.js';

function outputLeaf(output: unknown, target: TargetJSON, where: string): tf.Tensor {
  const leaves = tensorLeaves(output);
  const index = target.outputIndex ?? 0;
  const leaf = leaves[index];
  if (leaf === undefined) {
    throw new InvalidValueError({
      what: `Module '${target.path}' returned ${describeStructure(output)}, which has no tensor ${index}`,
      where,
      fix:
        leaves.length === 0
          ? 'Target a module that returns tensors.'
          : `Use an outputIndex from 0 to ${leaves.length - 1}.`,
    });
  }
  return leaf;
}

/**
 * A forward hook that stores (kept) the selected units of the target's output tensor on every call.
 *
 * @example
 * registerHook(model, 'fc1', 'forward', activationCaptureHook(target, (value) => values.push(value)));
 */
export function activationCaptureHook(target: TargetJSON, store: (value: tf.Tensor) => void): ForwardHook {
  const where = describeTarget(target);
  return (output) => {
    // The model runs inside the caller's tidy (or tf.grad's): keep the copy that outlives it.
    store(tf.keep(selectUnits(outputLeaf(output, target, where), target, where)));
    return undefined;
  };
}

/**
 * A forward hook that returns the output with only the target's units replaced, structure kept.
 *
 * @example
 * registerHook(model, 'fc1', 'forward', activationReplaceHook(target, 100));
 */
export function activationReplaceHook(target: TargetJSON, value: ReplacementValue): ForwardHook {
  const where = describeTarget(target);
  return (output) => {
    const leaf = outputLeaf(output, target, where);
    const replaced = replaceUnits(leaf, target, value, where);
    return mapTensorLeaves(output, (tensor, index) => (index === target.outputIndex ? replaced : tensor));
  };
}

/**
 * A backward-pre hook that stores (kept) the selected units of d(loss)/d(the target's output tensor).
 *
 * @example
 * registerHook(model, 'fc2', 'backward-pre', gradientCaptureHook(target, (value) => values.push(value)));
 */
export function gradientCaptureHook(target: TargetJSON, store: (value: tf.Tensor) => void): GradientHook {
  const where = describeTarget(target);
  return (gradient, { index }) => {
    if (index === target.outputIndex) store(tf.keep(selectUnits(gradient, target, where)));
    return undefined;
  };
}

/**
 * A backward-pre hook that replaces the target's units of the gradient w.r.t. its output tensor.
 *
 * @example
 * registerHook(model, 'fc2', 'backward-pre', gradientReplaceHook(target, 0));
 */
export function gradientReplaceHook(target: TargetJSON, value: ReplacementValue): GradientHook {
  const where = describeTarget(target);
  return (gradient, { index }) =>
    index === target.outputIndex ? replaceUnits(gradient, target, value, where) : undefined;
}
