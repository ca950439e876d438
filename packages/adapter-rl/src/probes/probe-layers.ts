import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, namedModules, type Key, type ModelNode } from '@tdhook/core';
import { childrenOf } from '@tdhook/core/plugin';

import { where, type ProbePolicyOptions } from './probe-policy-options.js';

function matchesAtStart(pattern: RegExp, path: string): boolean {
  // The leftmost match starts at 0 exactly when some match does; a copy without `g`/`y` has no lastIndex state.
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')).exec(path)?.index === 0;
}

/** The probed module paths, in the model's order. */
export function layerPaths(policy: ModelNode, layers: ProbePolicyOptions['layers']): string[] {
  const modules = namedModules(policy);
  if (layers === undefined)
    return modules.filter(([, node]) => childrenOf(node).length === 0).map(([path]) => path);
  if (layers instanceof RegExp) {
    const paths = modules.map(([path]) => path).filter((path) => matchesAtStart(layers, path));
    if (paths.length === 0) {
      throw new InvalidValueError({
        what: `No module path matches ${String(layers)} at its start`,
        where: `${where} options.layers`,
        fix: `Module paths: ${modules.map(([path]) => path).join(', ')}.`,
      });
    }
    return paths;
  }
  return [...layers]; // activationCaching checks that each one exists
}

/** A key as the table shows it: `'observation'`, `'info.agent'`. */
export function keyName(key: Key): string {
  return typeof key === 'string' ? key : key.join('.');
}

/** The layer's output as `[rows, features]` float32 (a new tensor). */
export function featureRows(activation: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.reshape(activation, [activation.shape[0], -1]), 'float32'));
}
