// The small model the method and workflow tests share: y = 6·relu(x), each step a module to hook.
import * as tf from '@tensorflow/tfjs-core';

import { registerHook } from '../src/hooks/register-hook.js';
import { Lambda, Sequential } from '../src/modules/containers.js';
import { Module } from '../src/modules/module.js';

/** Multiplies by a scalar parameter `w`. */
export class Scale extends Module {
  readonly w: tf.Variable;
  constructor(w: number) {
    super();
    this.w = this.registerParameter('w', tf.scalar(w));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.mul(x, this.w);
  }
}

/** linear1 (×2) → relu → linear2 (×3): y = 6·relu(x). */
export const smallNet = (): Sequential =>
  new Sequential({
    linear1: new Scale(2),
    relu: new Lambda('relu', (x: tf.Tensor) => tf.relu(x)),
    linear2: new Scale(3),
  });

/** A tensor's values as a plain array. */
export const values = (t: unknown): number[] => Array.from((t as tf.Tensor).dataSync());

/** Counts how often the model itself runs (a forward-pre hook at its root). */
export function countCalls(model: Module): { readonly count: number; remove(): void } {
  let count = 0;
  const handle = registerHook(model, '', 'forward-pre', () => {
    count++;
    return undefined;
  });
  return {
    get count() {
      return count;
    },
    remove: () => {
      handle.remove();
    },
  };
}
