// The committed policies the section explains.
import * as tf from '@tensorflow/tfjs-core';
import { resolveModule } from '@tdhook/core';
import { ActorCritic, type Linear, type QNetwork } from '@tdhook/adapter-rl';
import { corridorPolicy } from '@tdhook/adapter-rl/pretrained';

/** TEMPORARY stand-in until cartPolePolicy() lands: a hand-set linear controller inside an ActorCritic. */
export function loadCartPolePolicy(): ActorCritic {
  const policy = new ActorCritic({ observationSize: 4, actions: 2, seed: 3 });
  const set = (path: string, kernel: tf.Tensor): void => {
    const layer = resolveModule(policy, path) as Linear;
    layer.kernel.assign(kernel);
    layer.bias?.assign(tf.zerosLike(layer.bias));
    kernel.dispose();
  };
  tf.tidy(() => {
    const first = tf.buffer([4, 64]);
    [0.05, 0.1, 1, 0.5].forEach((w, i) => first.set(w, i, 0));
    set('actor.0', first.toTensor());
    const second = tf.buffer([64, 64]);
    second.set(1, 0, 0);
    set('actor.2', second.toTensor());
    const head = tf.buffer([64, 2]);
    head.set(-5, 0, 0);
    head.set(5, 0, 1);
    set('actor.4', head.toTensor());
  });
  return policy;
}

/** The committed corridor Q-network (fitted Q-iteration). */
export function loadCorridorPolicy(): QNetwork {
  return corridorPolicy();
}
