import * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError } from '../errors.js';

const childNamePattern = /^[^.[\]<>]+$/;

/**
 * The base class for models written as code, the way PyTorch users write them: named children registered in
 * the constructor, a `forward`, parameters as variables. Every registered child is hookable by its path
 * (`'encoder.layers[1].mlp'`); hooks attach to the instance and leave the class untouched.
 *
 * Call a module with `call(...)` (or `forward(...)`: hooks see both). Inputs and outputs are whatever
 * `forward` declares: a tensor, several tensors, an array or a record of tensors.
 *
 * @example
 * class Mlp extends Module<[tf.Tensor2D], tf.Tensor2D> {
 *   readonly fc1 = this.registerModule('fc1', new Dense(16, 64));
 *   readonly fc2 = this.registerModule('fc2', new Dense(64, 10));
 *   forward(x: tf.Tensor2D): tf.Tensor2D {
 *     return this.fc2.call(tf.relu(this.fc1.call(x)));
 *   }
 * }
 */
export abstract class Module<Inputs extends unknown[] = [tf.Tensor], Output = tf.Tensor> {
  readonly #children = new Map<string, Module<never[], unknown>>();
  readonly #parameters = new Map<string, tf.Variable>();

  /** The computation. Call children through their `call` so that their hooks run. */
  abstract forward(...inputs: Inputs): Output;

  /**
   * Runs the module. Hooks installed on this instance run around `forward`.
   *
   * @example
   * const logits = mlp.call(x);
   */
  call(...inputs: Inputs): Output {
    return this.forward(...inputs);
  }

  /** A short type name for messages and printed trees; the class name by default. */
  get typeName(): string {
    return this.constructor.name;
  }

  /**
   * Registers a child under `name` and returns it, so that it can be assigned to a field in one line.
   *
   * @example
   * readonly fc1 = this.registerModule('fc1', new Dense(16, 64));
   */
  protected registerModule<M extends Module<never[], unknown>>(name: string, module: M): M {
    if (!childNamePattern.test(name)) {
      throw new InvalidValueError({
        what: `Child name ${JSON.stringify(name)} contains '.', '[', ']', '<' or '>'`,
        where: `${this.typeName}.registerModule`,
        fix: 'Use a plain name: paths use those characters to separate and index segments.',
      });
    }
    if (this.#children.has(name) || this.#parameters.has(name)) {
      throw new InvalidValueError({
        what: `${this.typeName} already has a child or parameter named ${JSON.stringify(name)}`,
        where: `${this.typeName}.registerModule`,
        fix: 'Give every child and parameter its own name.',
      });
    }
    this.#children.set(name, module);
    return module;
  }

  /**
   * Registers a parameter: the module takes ownership of `value` and keeps it as a `tf.Variable`, disposed by
   * {@link Module.dispose}.
   *
   * @example
   * readonly kernel = this.registerParameter('kernel', tf.randomNormal([16, 64]));
   */
  protected registerParameter(name: string, value: tf.Tensor, trainable = true): tf.Variable {
    if (this.#children.has(name) || this.#parameters.has(name)) {
      throw new InvalidValueError({
        what: `${this.typeName} already has a child or parameter named ${JSON.stringify(name)}`,
        where: `${this.typeName}.registerParameter`,
        fix: 'Give every child and parameter its own name.',
      });
    }
    const variable: tf.Variable =
      value instanceof tf.Variable ? (value as tf.Variable) : tf.variable(value, trainable);
    if (variable !== value) value.dispose();
    this.#parameters.set(name, variable);
    return variable;
  }

  /**
   * The direct children, in registration order.
   *
   * @example
   * mlp.namedChildren().map(([name]) => name); // ['fc1', 'fc2']
   */
  namedChildren(): [string, Module<never[], unknown>][] {
    return [...this.#children];
  }

  /**
   * This module's own parameters (not its children's), in registration order.
   *
   * @example
   * dense.namedParameters(); // [['kernel', Variable], ['bias', Variable]]
   */
  namedParameters(): [string, tf.Variable][] {
    return [...this.#parameters];
  }

  /**
   * Disposes this module's parameters and, recursively, its children's.
   *
   * @example
   * mlp.dispose();
   */
  dispose(): void {
    for (const child of this.#children.values()) child.dispose();
    for (const parameter of this.#parameters.values()) parameter.dispose();
  }
}

/**
 * Any module, whatever its signature.
 *
 * @example
 * const children: [string, AnyModule][] = mlp.namedChildren();
 */
export type AnyModule = Module<never[], unknown>;
