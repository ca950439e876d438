import * as tf from '@tensorflow/tfjs-core';

/**
 * Adam (Kingma & Ba 2015) over a fixed list of variables, with the learning rate given at each step (PPO
 * lowers it as training goes on; TF.js's own optimiser fixes it at construction). Its moment estimates are
 * variables of its own: {@link Adam.dispose} frees them.
 *
 * @example
 * const adam = new Adam([...parameterVariables(policy).values()]);
 * adam.step(grads, 1e-3);
 * adam.dispose();
 */
export class Adam {
  readonly #variables: readonly tf.Variable[];
  readonly #first: tf.Variable[];
  readonly #second: tf.Variable[];
  readonly #beta1: number;
  readonly #beta2: number;
  readonly #epsilon: number;
  #steps = 0;

  constructor(variables: readonly tf.Variable[], beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8) {
    this.#variables = variables;
    // In a tidy: a variable keeps its initial value's data, and the zeros tensor itself must go.
    const zeros = (): tf.Variable[] =>
      tf.tidy(() => variables.map((variable) => tf.variable(tf.zerosLike(variable), false)));
    this.#first = zeros();
    this.#second = zeros();
    this.#beta1 = beta1;
    this.#beta2 = beta2;
    this.#epsilon = epsilon;
  }

  /** One update with `gradients[i]` for variable `i` (bias-corrected moments, PyTorch's epsilon placement). */
  step(gradients: readonly tf.Tensor[], learningRate: number): void {
    this.#steps += 1;
    const correction1 = 1 - this.#beta1 ** this.#steps;
    const correction2 = 1 - this.#beta2 ** this.#steps;
    tf.tidy(() => {
      this.#variables.forEach((variable, index) => {
        const gradient = gradients[index] as tf.Tensor;
        const first = this.#first[index] as tf.Variable;
        const second = this.#second[index] as tf.Variable;
        first.assign(tf.add(tf.mul(first, this.#beta1), tf.mul(gradient, 1 - this.#beta1)));
        second.assign(tf.add(tf.mul(second, this.#beta2), tf.mul(tf.square(gradient), 1 - this.#beta2)));
        const denominator = tf.add(tf.sqrt(tf.div(second, correction2)), this.#epsilon);
        variable.assign(tf.sub(variable, tf.mul(tf.div(first, denominator), learningRate / correction1)));
      });
    });
  }

  /** Frees the moment estimates (the trained variables stay). */
  dispose(): void {
    tf.dispose([...this.#first, ...this.#second]);
  }
}
