import type * as tf from '@tensorflow/tfjs-core';

import { Module, type AnyModule } from './module.js';

/**
 * Children called one after the other, each on the previous one's output. Children are named `'0'`, `'1'`, …
 * unless given as a record; paths index them by position (`'[1]'`, `'[-1]'`) or name.
 *
 * @example
 * const mlp = new Sequential({ fc1: new Dense(16, 64), relu: new Lambda('relu', tf.relu), fc2: new Dense(64, 10) });
 * mlp.call(x);
 */
export class Sequential extends Module {
  constructor(children: readonly Module[] | Readonly<Record<string, Module>>) {
    super();
    const entries = Array.isArray(children)
      ? children.map((child, index) => [String(index), child] as const)
      : Object.entries(children);
    for (const [name, child] of entries) this.registerModule(name, child);
  }

  forward(input: tf.Tensor): tf.Tensor {
    let value = input;
    for (const [, child] of this.namedChildren()) value = (child as unknown as Module).call(value);
    return value;
  }
}

/**
 * An ordered list of modules that the owner calls itself; indexed by position in paths (`'layers[-1]'`).
 * Calling the list itself is an error, as in PyTorch.
 *
 * @example
 * readonly layers = this.registerModule('layers', new ModuleList([new Block(), new Block()]));
 */
export class ModuleList<M extends AnyModule = AnyModule> extends Module<never[], never> {
  readonly #items: M[];

  constructor(items: readonly M[]) {
    super();
    this.#items = [...items];
    this.#items.forEach((item, index) => this.registerModule(String(index), item));
  }

  /** The items, in order. */
  get items(): readonly M[] {
    return this.#items;
  }

  /**
   * The item at `index` (negative counts from the end), or undefined.
   *
   * @example
   * list.at(-1);
   */
  at(index: number): M | undefined {
    return this.#items.at(index);
  }

  forward(): never {
    throw new TypeError('A ModuleList is a container: call its items, not the list.');
  }
}

/**
 * Modules by string key, indexed with quoted keys in paths (`"heads['query']"`). Not callable itself.
 *
 * @example
 * readonly heads = this.registerModule('heads', new ModuleDict({ query: new Dense(8, 8), key: new Dense(8, 8) }));
 */
export class ModuleDict<M extends AnyModule = AnyModule> extends Module<never[], never> {
  readonly #items: Map<string, M>;

  constructor(items: Readonly<Record<string, M>>) {
    super();
    this.#items = new Map(Object.entries(items));
    for (const [name, item] of this.#items) this.registerModule(name, item);
  }

  /**
   * The module under `key`, or undefined.
   *
   * @example
   * heads.get('query');
   */
  get(key: string): M | undefined {
    return this.#items.get(key);
  }

  forward(): never {
    throw new TypeError('A ModuleDict is a container: call its items, not the dict.');
  }
}

/**
 * A parameter-free function as a hookable module, e.g. an activation that should have its own path.
 *
 * @example
 * readonly relu = this.registerModule('relu', new Lambda('relu', tf.relu));
 */
export class Lambda<Inputs extends unknown[] = [tf.Tensor], Output = tf.Tensor> extends Module<
  Inputs,
  Output
> {
  readonly #fn: (...inputs: Inputs) => Output;
  readonly #label: string;

  constructor(label: string, fn: (...inputs: Inputs) => Output) {
    super();
    this.#label = label;
    this.#fn = fn;
  }

  override get typeName(): string {
    return `Lambda(${this.#label})`;
  }

  forward(...inputs: Inputs): Output {
    return this.#fn(...inputs);
  }
}
