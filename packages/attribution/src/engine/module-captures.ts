import * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError, type HookSpec } from '@tdhook/core';
import { isTensor, type BindContext } from '@tdhook/core/plugin';

/**
 * The plan entries for capturing module outputs: one forward capture per path.
 *
 * @example
 * captureSpecs(['fc1']); // [{ path: 'fc1', direction: 'forward', operation: 'capture' }]
 */
export function captureSpecs(paths: readonly string[]): HookSpec[] {
  return paths.map((path) => ({ path, direction: 'forward', operation: 'capture' }));
}

interface Captured {
  readonly node: tf.Tensor;
  readonly value: tf.Tensor;
}

/**
 * Forward hooks that hand over module outputs during a pass the engine runs (and only then): the tensors
 * stay in the pass, so that gradients can be taken with respect to them.
 *
 * @example
 * const captures = new ModuleCaptures(context, ['fc1']); // in bind(), with captureSpecs(['fc1']) in the plan
 * const { result, values, nodes } = captures.collect(() => context.model.callTensors([x]));
 */
export class ModuleCaptures {
  readonly paths: readonly string[];
  readonly #values = new Map<string, Captured[]>();
  #armed = false;

  constructor(context: BindContext, paths: readonly string[]) {
    this.paths = [...new Set(paths)];
    for (const path of this.paths) {
      context.hook({ path, direction: 'forward', operation: 'capture' }, (output) => {
        if (!this.#armed) return undefined;
        if (!isTensor(output)) {
          throw new InvalidValueError({
            what: `Module '${path}' returned something other than a tensor`,
            where: `module '${path}'`,
            fix: 'Attribute to (or target) a module whose output is one tensor.',
          });
        }
        // A Layers model disposes its intermediate tensors before its call returns, so the value is read
        // from a kept clone (on the tape, so targets on it stay differentiable); gradients w.r.t. the
        // module output only need the original tensor's id.
        this.#values.get(path)?.push({ node: output, value: tf.keep(tf.clone(output)) });
        return undefined;
      });
    }
  }

  /**
   * Runs `pass` with the hooks collecting; returns its result and each module's output (in `paths` order):
   * `nodes` are the tensors of the model's graph (differentiate w.r.t. these; they may be disposed already),
   * `values` readable copies the caller owns.
   */
  collect<T>(pass: () => T): { result: T; values: tf.Tensor[]; nodes: tf.Tensor[] } {
    for (const path of this.paths) this.#values.set(path, []);
    this.#armed = true;
    try {
      const result = pass();
      const captured = this.#take();
      return {
        result,
        values: captured.map((entry) => entry.value),
        nodes: captured.map((entry) => entry.node),
      };
    } catch (error) {
      for (const calls of this.#values.values()) tf.dispose(calls.map((entry) => entry.value));
      throw error;
    } finally {
      this.#armed = false;
      this.#values.clear();
    }
  }

  #take(): Captured[] {
    return this.paths.map((path) => {
      const calls = this.#values.get(path) ?? [];
      if (calls.length !== 1) {
        throw new InvalidValueError({
          what: `Module '${path}' ran ${calls.length} times in one model call`,
          where: `module '${path}'`,
          fix:
            calls.length === 0
              ? 'Its output does not take part in the model call: check the path.'
              : 'Attribute to a module that runs once per call (a shared layer runs several times).',
        });
      }
      return calls[0] as Captured;
    });
  }
}
