// Adam over a fixed list of variables, with global-norm gradient clipping and a learning rate the caller may
// change every step (schedules). tf.train.adam fixes its rate at construction and cannot clip.
import * as tf from '@tensorflow/tfjs-core';

/**
 * Options of {@link Adam}.
 *
 * @example
 * const options: AdamOptions = { learningRate: 3e-3, clipNorm: 1 };
 */
export interface AdamOptions {
  readonly learningRate: number;
  /** Default 0.9. */
  readonly beta1?: number;
  /** Default 0.99 (small models, few steps). */
  readonly beta2?: number;
  /** Default 1e-8. */
  readonly epsilon?: number;
  /** Scale the gradients down when their global L2 norm exceeds this; default: no clipping. */
  readonly clipNorm?: number;
}

/**
 * Adam (Kingma & Ba) with bias correction. `step(loss)` computes the loss's gradients with respect to the
 * variables, updates them and returns the loss value; `dispose()` frees the moment estimates.
 *
 * @example
 * const adam = new Adam(variables, { learningRate: 1e-3 });
 * const loss = adam.step(() => lossOf(batch));
 * adam.dispose();
 */
export class Adam {
  learningRate: number;
  readonly #variables: readonly tf.Variable[];
  readonly #m: tf.Variable[];
  readonly #v: tf.Variable[];
  readonly #beta1: number;
  readonly #beta2: number;
  readonly #epsilon: number;
  readonly #clipNorm: number | undefined;
  #t = 0;

  constructor(variables: readonly tf.Variable[], options: AdamOptions) {
    this.#variables = variables;
    this.learningRate = options.learningRate;
    this.#beta1 = options.beta1 ?? 0.9;
    this.#beta2 = options.beta2 ?? 0.99;
    this.#epsilon = options.epsilon ?? 1e-8;
    this.#clipNorm = options.clipNorm;
    const zeros = (v: tf.Variable): tf.Variable => {
      const initial = tf.zerosLike(v);
      const moment = tf.variable(initial, false);
      initial.dispose();
      return moment;
    };
    this.#m = variables.map(zeros);
    this.#v = variables.map(zeros);
  }

  /** One update; returns the loss before it. */
  step(loss: () => tf.Scalar): number {
    this.#t += 1;
    const correction1 = 1 - this.#beta1 ** this.#t;
    const correction2 = 1 - this.#beta2 ** this.#t;
    const { value, grads } = tf.variableGrads(loss, [...this.#variables]);
    const lossValue = value.dataSync()[0] as number;
    tf.tidy(() => {
      const gradients = this.#variables.map((v) => grads[v.name] as tf.Tensor);
      let scale: tf.Scalar | number = 1;
      if (this.#clipNorm !== undefined) {
        const norm = tf.sqrt(tf.addN(gradients.map((g) => tf.sum(tf.square(g)))));
        scale = tf.div<tf.Scalar>(this.#clipNorm, tf.maximum(norm, this.#clipNorm));
      }
      this.#variables.forEach((variable, i) => {
        const g = tf.mul(gradients[i] as tf.Tensor, scale);
        const m = this.#m[i] as tf.Variable;
        const v = this.#v[i] as tf.Variable;
        m.assign(tf.add(tf.mul(m, this.#beta1), tf.mul(g, 1 - this.#beta1)));
        v.assign(tf.add(tf.mul(v, this.#beta2), tf.mul(tf.square(g), 1 - this.#beta2)));
        const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), this.#epsilon));
        variable.assign(tf.sub(variable, tf.mul(update, this.learningRate)));
      });
    });
    tf.dispose([value, ...Object.values(grads)]);
    return lossValue;
  }

  dispose(): void {
    tf.dispose([...this.#m, ...this.#v]);
  }
}
