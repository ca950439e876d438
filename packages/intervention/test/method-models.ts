// Small models for the method tests: the original's test MLP `M` and its identity Linear(3, 3), as tdhook
// Modules with seeded (or identity) weights, and a check that no hook is left on any of their modules.
import * as tf from '@tensorflow/tfjs-core';
import { Lambda, Module, namedModules, resolveModule, type ModelNode, Sequential } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';
import { seededTensor } from '@tdhook/testing';

/** A dense layer `x · kernel + bias`, the original's nn.Linear (kernel [in, out]). */
export class Linear extends Module {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  constructor(kernel: tf.Tensor, bias: tf.Tensor) {
    super();
    this.kernel = this.registerParameter('kernel', kernel);
    this.bias = this.registerParameter('bias', bias);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(x, this.kernel), this.bias);
  }
}

/** A seeded Linear(inputs, units). */
export function seededLinear(inputs: number, units: number, seed: number): Linear {
  return new Linear(seededTensor([inputs, units], seed, 0.6), seededTensor([units], seed + 1, 0.2));
}

/** The original's identity model: one Linear(3, 3) named `linear`, identity kernel, zero bias. */
export function identityModel(): Sequential {
  return new Sequential({ linear: new Linear(tf.eye(3), tf.zeros([3])) });
}

/** linear1(10→20) → relu → linear2(20→20) → relu → linear3(20→5): the original's `M`. */
export function mlp(): Sequential {
  return new Sequential({
    linear1: seededLinear(10, 20, 1),
    relu1: new Lambda('relu', (x: tf.Tensor) => tf.relu(x)),
    linear2: seededLinear(20, 20, 3),
    relu2: new Lambda('relu', (x: tf.Tensor) => tf.relu(x)),
    linear3: seededLinear(20, 5, 5),
  });
}

/** The MLP's module outputs computed by hand, with an optional change of linear2's output. */
export function manualMlp(
  model: Sequential,
  x: tf.Tensor,
  changeLinear2: (h2: tf.Tensor) => tf.Tensor = (h2) => h2,
): { linear1: tf.Tensor; linear2: tf.Tensor; linear3: tf.Tensor } {
  return tf.tidy(() => {
    const layer = (name: string): Linear => resolveModule(model, name) as Linear;
    const apply = (name: string, h: tf.Tensor): tf.Tensor =>
      tf.add(tf.matMul(h, layer(name).kernel), layer(name).bias);
    const linear1 = apply('linear1', x);
    const linear2 = changeLinear2(apply('linear2', tf.relu(linear1)));
    const linear3 = apply('linear3', tf.relu(linear2));
    return { linear1, linear2, linear3 };
  });
}

/** A [rows, features] input with fixed values. */
export function inputs(rows: number, features = 10, seed = 7): tf.Tensor {
  return seededTensor([rows, features], seed, 2);
}

/** The number of hooks installed on any module of `model` (the model itself included). */
export function installedHooks(model: ModelNode): number {
  return [model, ...namedModules(model).map(([, node]) => node)].reduce((total, node) => {
    const counts = hookCounts(node);
    return total + counts.forward + counts['forward-pre'] + counts.backward + counts['backward-pre'];
  }, 0);
}
